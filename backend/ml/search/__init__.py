"""Nearest-neighbour search over image embeddings (the index) and its benchmark helpers."""
