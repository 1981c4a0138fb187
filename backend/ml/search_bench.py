"""``make bench`` for visual search: latency and recall of the catalogue index.

``python -m backend.ml.search_bench [--sizes 10000,100000] [--queries 500] [--nprobe 16]``

Synthetic catalogues stand in for a seller's embeddings (nobody has 100k real product photos
here): 1280-d, non-negative and unit-length like the backbone's pooled features, drawn as
photos of products of categories so that, as measured on the real photos, two photos of one
product have cosine ~0.75-0.8, products of one category ~0.45 and unrelated images ~0.3.
Queries are new photos of catalogue products. For each size the benchmark builds the same
``VectorIndex`` the API uses (settings' defaults: FAISS IVF-Flat from 5,000 vectors, nprobe 16,
one thread), then reports build time, single-query latency p50/p95 and recall@10 against exact
search (brute force over every vector).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import uuid
from dataclasses import dataclass

import numpy as np

from backend.ml.search.index import IndexConfig, VectorIndex

DIMENSIONS = 1280
PHOTOS_PER_PRODUCT = 4
PRODUCTS_PER_CATEGORY = 50
CATEGORY_WEIGHT = 0.7
PHOTO_NOISE = 0.7
K = 10


def synthetic_catalogue(
    count: int,
    queries: int,
    *,
    dimensions: int = DIMENSIONS,
    seed: int = 0,
    photo_noise: float = PHOTO_NOISE,
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` catalogue vectors and ``queries`` query vectors (new photos of its products)."""
    rng = np.random.default_rng(seed)
    products = max(1, count // PHOTOS_PER_PRODUCT)
    categories = max(1, products // PRODUCTS_PER_CATEGORY)
    category_centres = rng.standard_normal((categories, dimensions), dtype=np.float32)
    product_centres = rng.standard_normal((products, dimensions), dtype=np.float32)
    product_centres += CATEGORY_WEIGHT * category_centres[rng.integers(0, categories, products)]

    def photos(total: int) -> np.ndarray:
        out = np.empty((total, dimensions), np.float32)
        for start in range(0, total, 10_000):
            size = min(10_000, total - start)
            chosen = product_centres[rng.integers(0, products, size)]
            noisy = chosen + photo_noise * rng.standard_normal((size, dimensions), np.float32)
            positive = np.maximum(noisy, 0)
            out[start : start + size] = positive / np.linalg.norm(positive, axis=1, keepdims=True)
        return out

    return photos(count), photos(queries)


def exact_top_k(catalogue: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Row indices of the ``k`` most similar catalogue vectors per query (brute force)."""
    result = np.empty((len(queries), k), np.int64)
    for start in range(0, len(queries), 100):
        similarities = queries[start : start + 100] @ catalogue.T
        top = np.argpartition(-similarities, k - 1, axis=1)[:, :k]
        result[start : start + 100] = top
    return result


@dataclass(frozen=True)
class BenchRow:
    size: int
    mode: str
    build_s: float
    p50_ms: float
    p95_ms: float
    exact_p50_ms: float
    recall_at_10: float


def run_size(
    size: int, queries: int, config: IndexConfig, photo_noise: float = PHOTO_NOISE
) -> BenchRow:
    catalogue, probes = synthetic_catalogue(size, queries, photo_noise=photo_noise)
    keys = [uuid.UUID(int=i + 1) for i in range(size)]
    row_of = {key: row for row, key in enumerate(keys)}
    started = time.perf_counter()
    index = VectorIndex(DIMENSIONS, config)
    index.upsert(keys, catalogue)
    build_s = time.perf_counter() - started
    truth = exact_top_k(catalogue, probes, K)
    latencies, hits = [], 0
    for probe, expected in zip(probes, truth, strict=True):
        started = time.perf_counter()
        found = index.search(probe, K)
        latencies.append((time.perf_counter() - started) * 1000)
        hits += len({row_of[item.key] for item in found} & set(expected.tolist()))
    exact_latencies = []
    for probe in probes[: min(100, queries)]:
        started = time.perf_counter()
        np.argpartition(-(catalogue @ probe), K - 1)[:K]
        exact_latencies.append((time.perf_counter() - started) * 1000)
    return BenchRow(
        size=size,
        mode="faiss IVF-Flat" if index.uses_ann else "exact",
        build_s=build_s,
        p50_ms=float(np.percentile(latencies, 50)),
        p95_ms=float(np.percentile(latencies, 95)),
        exact_p50_ms=float(np.percentile(exact_latencies, 50)),
        recall_at_10=hits / (len(probes) * K),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--nprobe", type=int, default=IndexConfig().nprobe)
    parser.add_argument("--ann-min-vectors", type=int, default=IndexConfig().ann_min_vectors)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--photo-noise",
        type=float,
        default=PHOTO_NOISE,
        help="Spread of photos around their product (higher: less structure, harder search)",
    )
    args = parser.parse_args(argv)
    config = IndexConfig(
        ann_min_vectors=args.ann_min_vectors, nprobe=args.nprobe, threads=args.threads
    )
    out = sys.stdout
    out.write(
        f"visual search, {DIMENSIONS}-d embeddings, k={K}, {args.queries} queries, "
        f"nprobe={config.nprobe}, {config.threads} thread(s), photo noise {args.photo_noise}\n"
    )
    out.write(
        f"{'vectors':>8}  {'index':<15} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'exact p50 ms':>12} {'recall@10':>9}\n"
    )
    for size in (int(value) for value in args.sizes.split(",")):
        row = run_size(size, args.queries, config, args.photo_noise)
        out.write(
            f"{row.size:>8}  {row.mode:<15} {row.build_s:>8.1f} {row.p50_ms:>7.2f} "
            f"{row.p95_ms:>7.2f} {row.exact_p50_ms:>12.2f} {row.recall_at_10:>9.3f}\n"
        )
        out.flush()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write(f"peak RSS {peak_mb:.0f} MB\n")


if __name__ == "__main__":
    main()
