"""A chunked on-disk meta-dataset: a directory of ``.npy`` shards and a manifest.

Layout of a dataset directory::

    manifest.json            format name and version, d, dtype, counts, shards
    shard-00000.X.npy        (N_s, d) covariates of the shard's tasks
    shard-00000.y.npy        (N_s,) responses
    shard-00000.offsets.npy  (n_s + 1,) int64 task boundaries, local to the shard

Each shard holds whole tasks; the manifest lists every shard's task and
example range, its smallest and largest task size and the byte size of each
of its files. A reader checks the manifest, every file's size and every
``.npy`` header against it when the directory is opened, so a truncated copy
or a foreign directory is rejected with one :class:`ValidationError` naming
the path and what is wrong, before any stage runs.

Rows are read with plain file reads at byte offsets (not memory maps), so a
pass over the data holds one chunk in memory and the resident set stays
bounded whatever the file size. Storage may be float32 (half the disk); the
chunks handed to the stages are always float64.

A *pools directory* holds one dataset per pool in sub-directories
``light1``, ``heavy`` and ``light2`` (:func:`open_pools`), and optionally the
true meta-parameters of synthetic data in ``params.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from .data import MetaDataset
from .exceptions import ValidationError

__all__ = ["ChunkedMetaDataset", "write_chunked", "open_pools", "write_synthetic_pools",
           "read_params", "FORMAT", "VERSION",
           "POOL_NAMES"]

#: Format name written in every manifest.
FORMAT = "robust-mlr-chunked"
#: Format version this module writes and reads.
VERSION = 1
#: Sub-directories of a pools directory.
POOL_NAMES = ("light1", "heavy", "light2")
_MANIFEST = "manifest.json"
_DTYPES = ("float64", "float32")


def _is_chunked(path):
    """Whether ``path`` is a directory holding nothing but a chunked
    dataset's manifest and shard files (or nothing at all)."""
    names = [e.name for e in path.iterdir()]
    return all(n == _MANIFEST or (n.startswith("shard-") and n.endswith(".npy"))
               for n in names) and (not names or _MANIFEST in names)


def _is_pools(path):
    """Whether ``path`` is a directory holding nothing but a pools
    directory's pools and ``params.json`` (or nothing at all)."""
    names = {e.name for e in path.iterdir()}
    return names <= {*POOL_NAMES, "params.json"} and all(
        (path / n).is_dir() and _is_chunked(path / n) for n in names & set(POOL_NAMES))


def _check_replaceable(path, overwrite, what, is_kind, flag):
    """Refuse to write at an existing ``path`` unless ``overwrite`` is set and
    ``path`` is what the writer makes (``is_kind``): replacing removes it
    whole, so a folder of anything else (a home directory, a project) is
    never deleted."""
    if not (path.exists() or path.is_symlink()):
        return
    if not overwrite:
        raise ValidationError(f"{path} exists; pass {flag} to replace it")
    if not path.is_dir() or path.is_symlink():
        raise ValidationError(f"{path} exists and is not a directory; {flag} replaces only "
                              f"a {what}: remove it yourself or write elsewhere")
    if not is_kind(path):
        held = sorted(e.name for e in path.iterdir())
        shown = ", ".join(held[:5]) + (", ..." if len(held) > 5 else "")
        raise ValidationError(f"{path} is not a {what} (it holds {shown}); {flag} replaces "
                              f"only a {what}, which it removes whole: remove it yourself or "
                              f"write elsewhere")


def _made_parents(folder):
    """Create ``folder`` and its missing parents; return those it created,
    deepest first, for :func:`_unmake` to remove after a failed write."""
    folder = Path(folder)
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _unmake(made):
    """Remove the folders a failed write created, if still empty."""
    for p in made:
        try:
            p.rmdir()
        except OSError:
            break


def _npy_layout(path):
    """``(header_bytes, shape, dtype)`` of an ``.npy`` file, from its header."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        if fortran:
            raise ValueError("Fortran-ordered array")
        return f.tell(), shape, dtype


def _read_rows(path, header, dtype, row_width, start, stop):
    """Rows ``start:stop`` of a C-ordered .npy array of ``row_width`` items per row."""
    count = (stop - start) * row_width
    with open(path, "rb") as f:
        f.seek(header + start * row_width * dtype.itemsize)
        out = np.fromfile(f, dtype=dtype, count=count)
    if out.size != count:
        raise ValidationError(f"{path}: file ends early (wanted {count} items from row {start})")
    if out.dtype.kind == "f" and not np.isfinite(out).all():
        i = int(np.flatnonzero(~np.isfinite(out))[0])
        where = f"row {start + i // row_width}" + (f", column {i % row_width}"
                                                    if row_width > 1 else "")
        raise ValidationError(f"{path}: {where} holds {out[i]}, not a finite number (the data "
                              f"of a meta-dataset must be finite)")
    return out


class ChunkedMetaDataset:
    """A meta-dataset on disk in the chunked ``.npy`` format, read by chunks.

    Parameters
    ----------
    path : str or Path
        The dataset directory (written by :func:`write_chunked`).

    Attributes
    ----------
    path : Path
    manifest : dict
        The parsed ``manifest.json``.

    Raises
    ------
    ValidationError
        The directory, its manifest or a shard file is missing, foreign,
        of another version, or truncated; the message names the path.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from robust_mlr import make_params, make_tasks
    >>> data = make_tasks(make_params(4, 2, rng=0), 50, 3, rng=1)
    >>> path = write_chunked(tempfile.mkdtemp() + "/ds", [data.subset(range(20)),
    ...                                                  data.subset(range(20, 50))])
    >>> ds = ChunkedMetaDataset(path)
    >>> ds.n_tasks, ds.dim, ds.n_shards
    (50, 4, 2)
    >>> bool(np.array_equal(ds.to_memory().X, data.X))
    True
    """

    def __init__(self, path):
        self.path = Path(path)
        man = self.path / _MANIFEST
        if not self.path.is_dir():
            raise ValidationError(f"{self.path}: not a directory (a chunked meta-dataset is a "
                                  f"directory with {_MANIFEST})")
        if not man.is_file():
            raise ValidationError(f"{self.path}: no {_MANIFEST}; not a chunked meta-dataset")
        try:
            m = json.loads(man.read_text())
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError(f"{man}: not valid JSON ({exc})") from None
        if not isinstance(m, dict) or m.get("format") != FORMAT:
            found = m.get("format") if isinstance(m, dict) else type(m).__name__
            raise ValidationError(f"{man}: format is {found!r}, not {FORMAT!r}")
        if m.get("version") != VERSION:
            raise ValidationError(f"{man}: format version {m.get('version')!r} is not "
                                  f"supported (this reader reads version {VERSION})")
        try:
            self._check(m)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError(f"{man}: malformed manifest ({type(exc).__name__}: "
                                  f"{exc})") from None
        self.manifest = m

    def _check(self, m):
        d, dtype = int(m["dim"]), m["dtype"]
        if dtype not in _DTYPES:
            raise ValidationError(f"{self.path / _MANIFEST}: dtype {dtype!r} not in {_DTYPES}")
        self._dtype = np.dtype(dtype)
        self._layout = []
        n_tasks = n_ex = 0
        for sh in m["shards"]:
            a, b = sh["tasks"]
            ea, eb = sh["examples"]
            if a != n_tasks or ea != n_ex or b <= a or eb - ea < b - a:
                raise ValidationError(f"{self.path / _MANIFEST}: shard {sh['name']} covers "
                                      f"tasks {a}:{b}, examples {ea}:{eb}; expected to start "
                                      f"at task {n_tasks}, example {n_ex}")
            n_tasks, n_ex = b, eb
            want = {"X": ((eb - ea, d), self._dtype), "y": ((eb - ea,), self._dtype),
                    "offsets": ((b - a + 1,), np.dtype(np.int64))}
            lay = {}
            for part, (shape, dt) in want.items():
                f = self.path / f"{sh['name']}.{part}.npy"
                if not f.is_file():
                    raise ValidationError(f"{f}: missing shard file")
                size = f.stat().st_size
                if size != sh["bytes"][part]:
                    raise ValidationError(f"{f}: {size} bytes, the manifest says "
                                          f"{sh['bytes'][part]} (truncated or replaced)")
                try:
                    header, got_shape, got_dt = _npy_layout(f)
                except ValueError as exc:
                    raise ValidationError(f"{f}: not a readable .npy file ({exc})") from None
                if tuple(got_shape) != shape or got_dt != dt:
                    raise ValidationError(f"{f}: holds {got_dt} {tuple(got_shape)}, the "
                                          f"manifest says {dt} {shape}")
                lay[part] = (f, header)
            self._layout.append(lay)
        if n_tasks != m["n_tasks"] or n_ex != m["n_examples"]:
            raise ValidationError(f"{self.path / _MANIFEST}: shards hold {n_tasks} tasks and "
                                  f"{n_ex} examples, the manifest says {m['n_tasks']} and "
                                  f"{m['n_examples']}")

    # ------------------------------------------------------------ properties
    @property
    def n_tasks(self):
        """Number of tasks n."""
        return int(self.manifest["n_tasks"])

    @property
    def n_examples(self):
        """Total number of examples N."""
        return int(self.manifest["n_examples"])

    @property
    def dim(self):
        """Dimension d."""
        return int(self.manifest["dim"])

    @property
    def dtype(self):
        """Storage dtype (chunks are float64 in memory)."""
        return self._dtype

    @property
    def n_shards(self):
        """Number of shard files."""
        return len(self.manifest["shards"])

    @property
    def size_range(self):
        """``(smallest, largest)`` task size, from the manifest."""
        sh = self.manifest["shards"]
        return min(s["t_min"] for s in sh), max(s["t_max"] for s in sh)

    @property
    def sizes(self):
        """Array of task sizes t_i, (n,) (reads every shard's offsets)."""
        return np.concatenate([np.diff(self._offsets(i)) for i in range(self.n_shards)])

    def __len__(self):
        return self.n_tasks

    def __repr__(self):
        lo, hi = self.size_range
        return (f"ChunkedMetaDataset({str(self.path)!r}, n_tasks={self.n_tasks}, d={self.dim}, "
                f"t={lo}..{hi}, N={self.n_examples}, shards={self.n_shards})")

    # --------------------------------------------------------------- reading
    def _offsets(self, i, a=0, b=None):
        """Offsets ``a..b`` (inclusive; all by default) of shard ``i``'s tasks, checked."""
        f, header = self._layout[i]["offsets"]
        sh = self.manifest["shards"][i]
        n = sh["tasks"][1] - sh["tasks"][0]
        b = n if b is None else b
        off = _read_rows(f, header, np.dtype(np.int64), 1, a, b + 1)
        rows = sh["examples"][1] - sh["examples"][0]
        if (a == 0 and off[0] != 0) or (b == n and off[-1] != rows) or np.any(np.diff(off) < 1) \
                or off[0] < 0 or off[-1] > rows:
            raise ValidationError(f"{f}: task offsets are not 0 = o_0 < o_1 < ... = {rows}")
        return off

    def chunk_specs(self, chunk_bytes=64 << 20):
        """The task ranges of the chunks :meth:`iter_chunks` yields.

        Parameters
        ----------
        chunk_bytes : int
            Bound on a chunk's float64 size (X and y); a chunk holds whole
            tasks, so a single task larger than the bound forms a chunk alone.

        Returns
        -------
        list of tuple
            ``(shard, first_task, end_task)`` with task indices local to the
            shard; :meth:`read_chunk` reads one (in any process).
        """
        if isinstance(chunk_bytes, bool) or not isinstance(chunk_bytes, (int, np.integer)) \
                or chunk_bytes < 1:
            raise ValidationError(f"chunk_bytes must be a positive integer, got {chunk_bytes!r}")
        rows = max(int(chunk_bytes) // (8 * (self.dim + 1)), 1)
        specs = []
        for i in range(self.n_shards):
            off = self._offsets(i)
            a = 0
            while a < off.size - 1:
                b = max(int(np.searchsorted(off, off[a] + rows, side="right")) - 1, a + 1)
                specs.append((i, a, b))
                a = b
        return specs

    def read_chunk(self, spec):
        """Tasks ``spec = (shard, first_task, end_task)`` as an in-memory
        float64 :class:`MetaDataset`."""
        i, a, b = spec
        off = self._offsets(i, a, b)
        (fx, hx), (fy, hy) = self._layout[i]["X"], self._layout[i]["y"]
        r0, r1, d = int(off[0]), int(off[-1]), self.dim
        X = _read_rows(fx, hx, self._dtype, d, r0, r1).reshape(r1 - r0, d)
        y = _read_rows(fy, hy, self._dtype, 1, r0, r1)
        return MetaDataset._trusted(X.astype(np.float64, copy=False),
                                    y.astype(np.float64, copy=False), off - off[0])

    def read_rows(self, shard, start, stop):
        """Covariate rows ``start:stop`` of shard ``shard`` (local row
        indices), float64, (stop − start, d)."""
        fx, hx = self._layout[shard]["X"]
        d = self.dim
        return _read_rows(fx, hx, self._dtype, d, int(start), int(stop)).reshape(
            -1, d).astype(np.float64, copy=False)

    def read_y_rows(self, shard, start, stop):
        """Responses ``start:stop`` of shard ``shard`` (local row indices),
        float64, (stop − start,)."""
        fy, hy = self._layout[shard]["y"]
        return _read_rows(fy, hy, self._dtype, 1, int(start), int(stop)).reshape(-1).astype(
            np.float64, copy=False)

    def read_offsets(self):
        """All task offsets ((n + 1,) int64), shard by shard (checked as
        :meth:`read_chunk` checks them)."""
        off = np.empty(self.n_tasks + 1, dtype=np.int64)
        off[0] = 0
        for i, sh in enumerate(self.manifest["shards"]):
            ea, (a, b) = sh["examples"][0], sh["tasks"]
            off[a + 1:b + 1] = self._offsets(i)[1:] + ea
        return off

    def read_y_offsets(self):
        """All responses (float64, (N,)) and task offsets ((n + 1,) int64),
        shard by shard (checked as :meth:`read_chunk` checks them)."""
        y = np.empty(self.n_examples)
        off = np.empty(self.n_tasks + 1, dtype=np.int64)
        off[0] = 0
        for i, sh in enumerate(self.manifest["shards"]):
            (ea, eb), (a, b) = sh["examples"], sh["tasks"]
            fy, hy = self._layout[i]["y"]
            y[ea:eb] = _read_rows(fy, hy, self._dtype, 1, 0, eb - ea)
            off[a + 1:b + 1] = self._offsets(i)[1:] + ea
        return y, off

    def iter_chunks(self, chunk_bytes=64 << 20):
        """Iterate over the tasks in order, as in-memory float64 meta-datasets.

        Parameters
        ----------
        chunk_bytes : int
            Bound on a chunk's float64 size (X and y); a chunk holds whole
            tasks, so a single task larger than the bound forms a chunk alone.

        Yields
        ------
        MetaDataset
        """
        for spec in self.chunk_specs(chunk_bytes):
            yield self.read_chunk(spec)

    def __iter__(self):
        return self.iter_chunks()

    def to_memory(self):
        """The whole dataset as one in-memory :class:`MetaDataset` (float64)."""
        chunks = list(self.iter_chunks(chunk_bytes=1 << 62))
        X = np.concatenate([c.X for c in chunks])
        y = np.concatenate([c.y for c in chunks])
        sizes = np.concatenate([c.sizes for c in chunks])
        return MetaDataset(X, y, np.concatenate([[0], np.cumsum(sizes)]))


def write_chunked(path, chunks, *, dtype="float64", overwrite=False):
    """Stream meta-dataset chunks to a chunked directory, atomically.

    Each chunk becomes one shard. The shards and the manifest are written
    to a temporary sibling directory that is renamed to ``path`` at the end,
    so a reader never sees a half-written dataset.

    Parameters
    ----------
    path : str or Path
        The dataset directory to create.
    chunks : iterable of MetaDataset
        Consecutive groups of whole tasks (a generator streams any size).
    dtype : {"float64", "float32"}
        Storage type of X and y.
    overwrite : bool
        Replace an existing chunked dataset directory at ``path`` (anything
        else there is refused).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValidationError
        ``path`` exists (and not ``overwrite``, or it is not a chunked
        dataset directory: ``overwrite`` replaces only one), no chunk was
        given, a chunk's dimension differs, or ``dtype`` is not supported.
    """
    path = Path(path)
    if dtype not in _DTYPES:
        raise ValidationError(f"dtype must be one of {_DTYPES}, got {dtype!r}")
    _check_replaceable(path, overwrite, "chunked dataset directory", _is_chunked,
                       "overwrite=True")
    made = _made_parents(path.parent)
    tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        manifest = _write_shards(tmp, chunks, dtype)
        (tmp / _MANIFEST).write_text(json.dumps(manifest, indent=1))
        if path.exists():
            old = path.parent / f".{path.name}.old-{uuid.uuid4().hex[:8]}"
            os.rename(path, old)
            os.rename(tmp, path)
            shutil.rmtree(old)
        else:
            os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _unmake(made)                           # no empty folder left behind
        raise
    return path


def _write_shards(folder, chunks, dtype):
    shards, d, n_tasks, n_ex = [], None, 0, 0
    for j, chunk in enumerate(chunks):
        if not isinstance(chunk, MetaDataset):
            raise ValidationError(f"chunk {j} must be a MetaDataset, got {type(chunk).__name__}")
        if d is None:
            d = chunk.dim
        elif chunk.dim != d:
            raise ValidationError(f"chunk {j} has d={chunk.dim}; earlier chunks have d={d}")
        name = f"shard-{j:05d}"
        parts = {"X": np.ascontiguousarray(chunk.X, dtype=dtype),
                 "y": np.ascontiguousarray(chunk.y, dtype=dtype),
                 "offsets": np.asarray(chunk.offsets, dtype=np.int64)}
        sizes = {}
        for part, arr in parts.items():
            f = folder / f"{name}.{part}.npy"
            np.save(f, arr)
            sizes[part] = f.stat().st_size
        s = chunk.sizes
        shards.append({"name": name, "tasks": [n_tasks, n_tasks + chunk.n_tasks],
                       "examples": [n_ex, n_ex + chunk.n_examples],
                       "t_min": int(s.min()), "t_max": int(s.max()), "bytes": sizes})
        n_tasks += chunk.n_tasks
        n_ex += chunk.n_examples
    if not shards:
        raise ValidationError("chunks is empty; need at least one MetaDataset")
    return {"format": FORMAT, "version": VERSION, "dim": d, "dtype": dtype,
            "n_tasks": n_tasks, "n_examples": n_ex, "shards": shards}


def open_pools(path):
    """The three pools of a pools directory, as :class:`ChunkedMetaDataset` objects.

    Parameters
    ----------
    path : str or Path
        A directory with sub-directories ``light1``, ``heavy``, ``light2``.

    Returns
    -------
    dict
        ``{"light1": ..., "heavy": ..., "light2": ...}``.

    Raises
    ------
    ValidationError
        A pool is missing or not a valid chunked dataset, or the dimensions differ.
    """
    path = Path(path)
    missing = [n for n in POOL_NAMES if not (path / n).is_dir()]
    if missing:
        raise ValidationError(f"{path}: not a pools directory; missing {', '.join(missing)} "
                              f"(expected sub-directories {', '.join(POOL_NAMES)})")
    pools = {n: ChunkedMetaDataset(path / n) for n in POOL_NAMES}
    dims = {n: p.dim for n, p in pools.items()}
    if len(set(dims.values())) != 1:
        raise ValidationError(f"{path}: pools have different dimensions {dims}")
    return pools


def write_synthetic_pools(path, params, light1, heavy, light2, *, rng=None, dtype="float64",
                          shard_examples=1 << 19, overwrite=False):
    """Stream synthetic pools of any size to a pools directory, shard by shard.

    Each pool is drawn by :func:`~robust_mlr.generator.make_tasks` in
    chunks of about ``shard_examples`` examples (one shard each) from one
    generator in turn, so memory stays bounded and the same arguments give
    the same files. The true meta-parameters go to ``params.json``. The
    whole directory appears at ``path`` at the end (a rename).

    Parameters
    ----------
    path : str or Path
        The pools directory to create.
    params : MLRParams
        The mixture.
    light1, heavy, light2 : tuple of int
        ``(n_tasks, t)`` of each pool.
    rng : None, int or Generator
    dtype : {"float64", "float32"}
        Storage type of X and y.
    shard_examples : int
        Examples per shard (whole tasks).
    overwrite : bool
        Replace an existing pools directory at ``path`` (anything else there
        is refused).

    Returns
    -------
    Path

    Raises
    ------
    ValidationError
        ``path`` exists (and not ``overwrite``, or it is not a pools
        directory), or a size is not a positive integer.
    """
    from ._validation import check_int, check_rng
    from .generator import make_tasks
    rng = check_rng(rng)
    path = Path(path)
    _check_replaceable(path, overwrite, "pools directory", _is_pools, "overwrite=True")
    sizes = {}
    for name, nt in zip(POOL_NAMES, (light1, heavy, light2)):
        n, t = (check_int(v, f"{name} {w}", min_val=1) for v, w in zip(nt, ("n", "t")))
        sizes[name] = (n, t)
    per = check_int(shard_examples, "shard_examples", min_val=1)
    made = _made_parents(path.parent)
    tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()

    def stream(n, t):
        step = max(per // t, 1)
        for a in range(0, n, step):
            yield make_tasks(params, min(step, n - a), t, rng=rng)
    try:
        for name, (n, t) in sizes.items():
            write_chunked(tmp / name, stream(n, t), dtype=dtype)
        (tmp / "params.json").write_text(json.dumps(
            {"W": params.W.tolist(), "s": params.s.tolist(), "p": params.p.tolist()}))
        if path.exists():
            shutil.rmtree(path)
        os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _unmake(made)
        raise
    return path


def read_params(path):
    """The true meta-parameters ``params.json`` of a synthetic pools
    directory, or None when it has none."""
    from .generator import MLRParams
    f = Path(path) / "params.json"
    if not f.is_file():
        return None
    try:
        m = json.loads(f.read_text())
        return MLRParams(np.array(m["W"], float), np.array(m["s"], float),
                         np.array(m["p"], float))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError(f"{f}: not a parameters file ({exc})") from None
