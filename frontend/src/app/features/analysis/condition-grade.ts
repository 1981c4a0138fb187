import {
  Attribute,
  CONDITION_GRADES,
  ConditionGrade,
  ConditionGradeDetails,
} from '../../core/api/models';

export interface GradeView {
  readonly grade: ConditionGrade;
  readonly confidence: number | null;
  readonly points: number | null;
  readonly reasons: string[];
  readonly defects: NonNullable<ConditionGradeDetails['defects']>;
}

export const GRADE_LABELS: Record<ConditionGrade, string> = {
  new: 'New',
  like_new: 'Like new',
  good: 'Good',
  fair: 'Fair',
  poor: 'Poor',
};

/** The `condition_grade` attribute read for display; null before the analysis grades. */
export function conditionGradeOf(attributes: readonly Attribute[]): GradeView | null {
  const attribute = attributes.find((item) => item.name === 'condition_grade');
  const grade = attribute?.value as ConditionGrade | undefined;
  if (!attribute || !grade || !(CONDITION_GRADES as readonly string[]).includes(grade)) {
    return null;
  }
  const details = (attribute.metadata ?? {}) as ConditionGradeDetails;
  return {
    grade,
    confidence: attribute.confidence,
    points: typeof details.points === 'number' ? details.points : null,
    reasons: Array.isArray(details.reasons) ? details.reasons : [],
    defects: Array.isArray(details.defects)
      ? [...details.defects].sort((a, b) => b.points - a.points)
      : [],
  };
}
