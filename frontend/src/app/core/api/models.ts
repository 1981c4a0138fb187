/** Types of the REST and WebSocket contract in docs/api.md. */

export interface Page<T> {
  readonly data: T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export interface ProblemDetails {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly request_id?: string;
  /** The problem's slug, as in `type`. */
  readonly code?: string;
  readonly errors?: { loc: (string | number)[]; msg: string; type: string }[];
}

export interface User {
  readonly id: string;
  readonly email: string;
  readonly full_name: string | null;
  readonly is_active: boolean;
  readonly is_staff: boolean;
  readonly is_superuser: boolean;
  readonly date_joined: string;
  readonly last_login: string | null;
}

export interface TokenPair {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
}

export const PRODUCT_STATUSES = ['draft', 'processing', 'analyzed', 'failed'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

export const PRODUCT_SORTS = [
  '-created_at',
  'created_at',
  'title',
  '-title',
  '-updated_at',
  'updated_at',
] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export interface AnalysisSummary {
  readonly status: AnalysisStatus;
  readonly classification_label: string | null;
  readonly classification_confidence: number | null;
  readonly defect_count: number;
  readonly model_version: string | null;
}

export type UploadStatus = 'pending' | 'uploaded' | 'rejected';

export interface ProductImage {
  readonly id: string;
  readonly product_id: string;
  readonly original_filename: string;
  readonly content_type: string;
  readonly file_size_bytes: number | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly is_primary: boolean;
  readonly upload_status: UploadStatus;
  readonly url: string | null;
  readonly created_at: string;
  readonly analysis: AnalysisSummary | null;
  readonly job_id: string | null;
}

export interface Product {
  readonly id: string;
  readonly title: string;
  readonly description: string | null;
  readonly category: string | null;
  readonly subcategory: string | null;
  readonly ai_description: string | null;
  readonly status: ProductStatus;
  readonly metadata: Record<string, unknown>;
  readonly image_count: number;
  readonly primary_image: ProductImage | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** What the description writer stores in `Product.metadata.ai_listing`. */
export interface AiListing {
  readonly title_suggestion?: string | null;
  readonly highlights?: string[];
  readonly seo_keywords?: string[];
  readonly language?: string;
  readonly model?: string;
}

export function aiListingOf(product: Pick<Product, 'metadata'>): AiListing | null {
  const listing = product.metadata?.['ai_listing'];
  return listing && typeof listing === 'object' ? (listing as AiListing) : null;
}

/** The seller's own details: plain values only (structured entries belong to the system). */
export function plainMetadata(
  metadata: Record<string, unknown> | null | undefined,
): [string, string][] {
  return Object.entries(metadata ?? {})
    .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
    .map(([key, value]) => [key, String(value)]);
}

export interface ProductDetail extends Product {
  readonly images: ProductImage[];
}

export interface ProductInput {
  title: string;
  description?: string;
  category?: string | null;
  subcategory?: string | null;
  metadata?: Record<string, unknown>;
}

export interface ProductQuery {
  limit: number;
  offset: number;
  q?: string;
  status?: ProductStatus | '';
  category?: string;
  sort?: ProductSort;
}

export const DESCRIPTION_TONES = ['professional', 'friendly', 'luxury', 'casual'] as const;
export const DESCRIPTION_LENGTHS = ['short', 'medium', 'long'] as const;

export interface DescriptionRequest {
  tone?: (typeof DESCRIPTION_TONES)[number];
  length?: (typeof DESCRIPTION_LENGTHS)[number];
  /** BCP 47 tag, e.g. `en`, `de-CH`. */
  language?: string;
}

export interface UploadTicket {
  readonly image_id: string;
  readonly upload_url: string;
  readonly method: 'PUT' | 'POST';
  readonly headers: Record<string, string>;
  readonly fields: Record<string, string>;
  readonly expires_at: string;
}

export type AnalysisStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface BoundingBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Defect {
  readonly defect_type: string;
  readonly severity: string;
  readonly confidence: number;
  readonly bounding_box: BoundingBox | null;
  readonly description: string | null;
}

export interface Attribute {
  readonly name: string;
  readonly value: string;
  readonly confidence: number | null;
  readonly metadata: Record<string, unknown> | null;
}

/** Who answered: the base taxonomy, the seller's own head, or the seller's correction. */
export type ClassificationSource = 'taxonomy' | 'custom' | 'correction';

export interface Classification {
  readonly label: string | null;
  readonly category: string | null;
  readonly subcategory: string | null;
  readonly confidence: number | null;
  readonly top_k: { label: string; score: number }[];
  readonly source?: ClassificationSource;
}

/** An older image of the seller's that this photo nearly duplicates. */
export interface DuplicateOf {
  readonly image_id: string;
  readonly product_id: string;
  readonly kept: boolean;
}

export const STEP_NAMES = [
  'preprocess',
  'classify',
  'extract_features',
  'detect_defects',
  'generate_description',
] as const;

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled';

export interface JobStep {
  readonly id: string;
  readonly step_name: string;
  readonly status: StepStatus;
  readonly product_image_id: string | null;
  readonly started_at: string | null;
  readonly completed_at: string | null;
  readonly duration_ms: number | null;
  readonly error_message: string | null;
  readonly result_data: Record<string, unknown> | null;
}

export interface Analysis {
  readonly id: string;
  readonly image_id: string;
  readonly status: AnalysisStatus;
  readonly model_version: string | null;
  readonly classification: Classification | null;
  readonly attributes: Attribute[];
  readonly defects: Defect[];
  readonly description_text: string | null;
  readonly description_model: string | null;
  readonly processing_time_ms: number | null;
  readonly error_message: string | null;
  readonly steps: JobStep[];
  readonly duplicate_of?: DuplicateOf | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export const JOB_STATUSES = [
  'pending',
  'running',
  'completed',
  'completed_with_errors',
  'failed',
  'cancelled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type JobType = 'single' | 'batch';

export interface Job {
  readonly id: string;
  readonly job_type: JobType;
  readonly status: JobStatus;
  readonly total_images: number;
  readonly processed_images: number;
  readonly failed_images: number;
  readonly progress: number;
  readonly started_at: string | null;
  readonly completed_at: string | null;
  readonly error_message: string | null;
  readonly metadata: Record<string, unknown>;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface JobDetail extends Job {
  readonly steps: JobStep[];
}

export interface JobQuery {
  limit: number;
  offset: number;
  status?: JobStatus | '';
  job_type?: JobType | '';
}

export interface BatchJobRequest {
  image_ids?: string[];
  product_ids?: string[];
  only_stale?: boolean;
}

export interface DashboardStats {
  readonly products_total: number;
  readonly products_by_status: Partial<Record<ProductStatus, number>>;
  readonly images_total: number;
  readonly images_analyzed: number;
  readonly category_distribution: { category: string; count: number }[];
  readonly defect_rate: number;
  readonly avg_processing_time_ms: number | null;
  readonly jobs_in_flight: number;
  readonly timeseries: {
    date: string;
    images_analyzed: number;
    avg_processing_time_ms: number | null;
    defects: number;
  }[];
}

export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['pending', 'running'];

// --- Listing readiness, condition grade, exports, webhooks, bulk import ---------------------

export type RuleStatus = 'pass' | 'warn' | 'fail';
export type ReadinessStatus = RuleStatus | 'pending';

export interface RuleLimits {
  readonly pass_at: number;
  readonly warn_at: number;
  readonly worst: 'fail' | 'warn';
  readonly main_image_only: boolean;
}

export interface ReadinessPreset {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly sources: string[];
  readonly rules: Record<string, RuleLimits>;
}

export interface ReadinessPresets {
  readonly default: string;
  readonly data: ReadinessPreset[];
}

export interface RuleResult {
  readonly rule: string;
  readonly label: string;
  readonly status: RuleStatus;
  /** Null when the rule could not be measured (then `warn`). */
  readonly measured: number | null;
  readonly unit: 'px' | 'score' | 'share' | 'count';
  readonly target: string;
  readonly message: string;
  readonly fix: string | null;
}

export interface ImageReadiness {
  readonly image_id: string;
  readonly product_id: string;
  readonly preset: string;
  readonly is_main: boolean;
  readonly status: ReadinessStatus;
  readonly counts: Partial<Record<RuleStatus, number>>;
  readonly rules: RuleResult[];
  readonly note: string | null;
}

export interface ProductReadiness {
  readonly product_id: string;
  readonly preset: string;
  readonly status: ReadinessStatus;
  readonly main_image_id: string | null;
  readonly fixes: string[];
  readonly images: ImageReadiness[];
}

export const CONDITION_GRADES = ['new', 'like_new', 'good', 'fair', 'poor'] as const;
export type ConditionGrade = (typeof CONDITION_GRADES)[number];

/** `metadata` of the `condition_grade` attribute. */
export interface ConditionGradeDetails {
  readonly label?: string;
  readonly points?: number;
  readonly reasons?: string[];
  readonly defects?: {
    defect_type: string;
    severity: string;
    confidence: number;
    area_share: number;
    points: number;
  }[];
}

export type ExportFormat = 'csv' | 'json';

export interface ExportQuery {
  format: ExportFormat;
  bom?: boolean;
  preset?: string;
  status?: ProductStatus | '';
  category?: string;
}

export const WEBHOOK_EVENT_TYPES = ['job.completed', 'job.failed', 'image.analyzed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface Webhook {
  readonly id: string;
  readonly url: string;
  /** Empty: every event type. */
  readonly event_types: string[];
  readonly description: string;
  readonly is_active: boolean;
  /** The secret's last four characters. */
  readonly secret_hint: string;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface WebhookWithSecret extends Webhook {
  /** Shown only on creation and rotation. */
  readonly secret: string;
}

export interface WebhookInput {
  url: string;
  event_types: WebhookEventType[];
  description: string;
  is_active: boolean;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface Delivery {
  readonly id: string;
  readonly endpoint_id: string;
  readonly event_id: string | null;
  readonly event_type: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly next_attempt_at: string | null;
  readonly last_attempt_at: string | null;
  readonly response_status: number | null;
  readonly error_message: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface DeliveryDetail extends Delivery {
  readonly payload: Record<string, unknown>;
  readonly response_body: string | null;
}

export interface DeliveryQuery {
  limit: number;
  offset: number;
  status?: DeliveryStatus | '';
}

export interface ImportResult {
  readonly job: Job;
  readonly products: { id: string; title: string; image_ids: string[] }[];
  readonly images_imported: number;
  readonly skipped: { name: string; reason: string }[];
}

// --- Visual search, duplicates and custom categories -----------------------------------------

export interface ProductRef {
  readonly id: string;
  readonly title: string;
}

export interface SimilarImage {
  /** Cosine similarity of the embeddings, -1..1. */
  readonly similarity: number;
  readonly product: ProductRef;
  readonly image: ProductImage;
}

export interface SimilarImages {
  readonly data: SimilarImage[];
  readonly total: number;
  readonly limit: number;
}

export interface PhotoSearch extends SimilarImages {
  readonly query: {
    classification: { label: string; confidence: number; source: 'taxonomy' | 'custom' };
    model_version: string;
    width: number;
    height: number;
  };
}

export interface DuplicateMember {
  readonly product: ProductRef;
  readonly image: ProductImage;
  /** The older image this one duplicates; null for the original. */
  readonly duplicate_of: string | null;
  readonly similarity: number | null;
  readonly kept: boolean;
}

export interface DuplicateCluster {
  readonly pending: boolean;
  /** The original (oldest) first. */
  readonly images: DuplicateMember[];
}

export interface DuplicateStatus {
  readonly image_id: string;
  readonly duplicate_of: string;
  readonly kept: boolean;
  readonly kept_at: string | null;
}

export interface DuplicateQuery {
  limit: number;
  offset: number;
  include_kept?: boolean;
}

export interface Correction {
  readonly image_id: string;
  readonly label: string;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface CorrectionQuery {
  limit: number;
  offset: number;
  label?: string;
}

export interface ClassifierMetrics {
  readonly examples?: number;
  readonly examples_per_label?: Record<string, number>;
  readonly skipped_labels?: Record<string, number>;
  readonly leave_one_out_accuracy?: number | null;
  readonly scale?: number;
  readonly embedding_space?: string;
}

export interface Classifier {
  readonly trained: boolean;
  readonly version: string | null;
  readonly labels: string[];
  readonly example_count: number;
  readonly trained_at: string | null;
  readonly metrics: ClassifierMetrics;
  readonly label_counts: { label: string; examples: number; in_head: boolean }[];
  readonly trainable_labels: string[];
  readonly min_examples_per_label: number;
  readonly corrections_since_training: number;
  readonly training_queued: boolean;
}
