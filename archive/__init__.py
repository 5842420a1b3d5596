"""The archive: turn uploaded documents into articles and keep them durably."""
