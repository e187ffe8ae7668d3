"""Reading a meta-dataset archive written by :meth:`MetaDataset.save` (private).

Every way the file can be unusable — empty, not a zip archive, damaged or
truncated, holding pickled objects, missing or unexpected arrays, arrays
that do not form a meta-dataset — ends as one
:class:`~robust_mlr.exceptions.ValidationError` naming the file.
"""

from __future__ import annotations

import numpy as np

from .exceptions import ValidationError

__all__ = ["load_npz"]

_KEYS = ("X", "y", "offsets")


def load_npz(cls, path):
    """Read and check the archive :meth:`MetaDataset.save` wrote at ``path``
    and build ``cls`` from its arrays; every failure is one ValidationError
    naming ``path`` and what is wrong."""
    import zipfile
    import zlib
    size = path.stat().st_size
    if size == 0:
        raise ValidationError(f"dataset file {path} is empty (0 bytes)")
    if not zipfile.is_zipfile(path):
        raise ValidationError(f"dataset file {path} ({size} bytes) is not a numpy .npz "
                              "archive (damaged, truncated, or another kind of file)")
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in _KEYS if k not in f.files]
            if missing:
                raise ValidationError(
                    f"dataset file {path} lacks the array(s) {', '.join(missing)} "
                    f"(it holds {', '.join(f.files) or 'nothing'}); not written by "
                    "MetaDataset.save")
            extra = [k for k in f.files if k not in (*_KEYS, "components")]
            if extra:
                raise ValidationError(
                    f"dataset file {path} holds unexpected array(s) {', '.join(extra)}; "
                    "damaged, or not written by MetaDataset.save")
            arrays = {k: f[k] for k in (*_KEYS, "components") if k in f.files}
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
            ValueError, KeyError, NotImplementedError) as exc:
        # np.load names the pickle rule for any non-numpy bytes; say what it is
        kind = "zlib.error" if isinstance(exc, zlib.error) else type(exc).__name__
        what = ("it holds Python objects, which are never unpickled"
                if "pickle" in str(exc) else f"damaged or truncated ({kind}: {exc})")
        raise ValidationError(f"dataset file {path} ({size} bytes) cannot be read: "
                              f"{what}") from None
    try:
        return cls(arrays["X"], arrays["y"], arrays["offsets"], arrays.get("components"))
    except ValidationError as exc:
        raise ValidationError(f"dataset file {path} is inconsistent: {exc}") from None
