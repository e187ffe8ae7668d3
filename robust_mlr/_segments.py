"""Per-task segment reductions for iterative methods (private).

Segment sums over the tasks' examples use a sparse n × N task-indicator
matrix built once per fit: the same reduction as ``MetaDataset.task_sums``
(``np.add.reduceat``), measured about 10× faster for N = 40 000, d = 32
(4 ms against 41 ms in one process), which matters for methods that reduce
every iteration.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


class Segments:
    """Task-indicator operator of a MetaDataset: per-task sums and gathers."""

    def __init__(self, data):
        N, n = data.n_examples, data.n_tasks
        self.index = data.task_index
        self.sizes = data.sizes
        self.S = sparse.csr_matrix((np.ones(N), (self.index, np.arange(N))), shape=(n, N))

    def sum(self, values):
        """Per-task sums of an (N, ...) array -> (n, ...)."""
        values = np.asarray(values)
        flat = values.reshape(values.shape[0], -1)
        return np.asarray(self.S @ flat).reshape((self.S.shape[0],) + values.shape[1:])

    def rowdot(self, A, C):
        """a_jᵀ c_{task(j)} for every example j: A (N, r), C (n, r) -> (N,)."""
        return np.einsum("ij,ij->i", A, C[self.index])

    def solve(self, A, b, ridge=1e-10):
        """Per-task least squares in the columns of A: (A_iᵀA_i + λ_i I) v_i = A_iᵀ b_i.

        A (N, r), b (N,); the n systems are stacked (n, r, r) and solved by
        one batched :func:`numpy.linalg.solve`. λ_i = ``ridge`` · tr(A_iᵀA_i)/r
        only guards against exact singularity. Returns (n, r).
        """
        r = A.shape[1]
        G = self.sum(A[:, :, None] * A[:, None, :])
        rhs = self.sum(A * b[:, None])
        lam = ridge * np.trace(G, axis1=1, axis2=2) / r + 1e-300
        G = G + lam[:, None, None] * np.eye(r)
        return np.linalg.solve(G, rhs[:, :, None])[:, :, 0]
