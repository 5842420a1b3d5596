"""The bundled demo corpus: the five sample articles the user gave us."""

from __future__ import annotations

from importlib import resources

from pressearchiv.archive.parsing import parse_document
from pressearchiv.archive.store import AddResult, ArchiveStore

__all__ = ["sample_files", "seed_new_archive", "seed_samples"]


def sample_files() -> list[tuple[str, bytes]]:
    """(file name, bytes) of every bundled sample, in name order."""
    folder = resources.files("pressearchiv.archive") / "samples"
    return sorted(
        (entry.name, entry.read_bytes())
        for entry in folder.iterdir()
        if entry.name.endswith(".txt")
    )


def seed_samples(store: ArchiveStore) -> list[AddResult]:
    """Store the samples (idempotent: a second call reports duplicates)."""
    drafts = []
    for name, data in sample_files():
        drafts.extend(parse_document(data, name).drafts)
    return store.add_many(drafts)


def seed_new_archive(store: ArchiveStore) -> list[AddResult]:
    """Store the samples in an archive that never held an article; else nothing.

    "Never held" is the highest ``seq`` being 0 (one index look-up, where
    counting the rows reads them all): an archive whose articles were all
    deleted is not seeded again.
    """
    return seed_samples(store) if store.max_seq() == 0 else []
