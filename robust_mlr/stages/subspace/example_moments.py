"""Method-of-moments subspace (Tripuraneni, Jin, Jordan, ICML 2021).

For x ~ N(0, I) and y = wᵀx + ε with w drawn from the mixture,

    E[y² x xᵀ] = E[y²] I + 2 Σ_a p_a w_a w_aᵀ ,

so the top-k eigenvectors of the example average (1/N) Σ_ij y_ij² x_ij x_ijᵀ
span span(W). Unlike the split moment of ICML 2020 Algorithm 2 it needs no
pairing of examples within a task, so tasks of one example are used too;
its price is the identity term, whose fluctuations are of order E[y²] and
enter the eigen-gap 2·λ_k(Σ p w wᵀ). The reported ``eigenvalues`` are those
of the bias-corrected M̂ = ((1/N) Σ y² x xᵀ − mean(y²) I) / 2.
"""

from __future__ import annotations


from ..._linalg import top_eigvecs
from .base import SubspaceResult
from ._tasks import check_rank

__all__ = ["moments"]


def moments(data, k):
    """Estimate span(W) by the method of moments of Tripuraneni et al. (2021).

    Paper's assumptions: x ~ N(0, I) (more generally a known isotropic law
    whose fourth moments make E[y² x xᵀ] isotropic plus a low-rank term);
    sub-Gaussian noise; task-diverse well-conditioned Σ_a p_a w_a w_aᵀ of
    rank k. Its error bound is Õ(sqrt(d k / N)) in the total number of
    examples N, independent of how they are split into tasks. Not robust.

    Parameters
    ----------
    data : MetaDataset
        Tasks of any sizes t_i >= 1.
    k : int
        Subspace dimension, 1 <= k <= d.

    Returns
    -------
    SubspaceResult
        ``U`` (d, k) and ``info["eigenvalues"]`` of the bias-corrected M̂.

    Raises
    ------
    ValidationError
        If ``k`` is missing or exceeds d.

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks, metrics
    >>> theta = make_params(8, 2, rng=0)
    >>> res = moments(make_tasks(theta, 20000, 1, rng=1), 2)
    >>> metrics.subspace_error(res.U, theta) < 0.15
    True
    """
    k = check_rank(k, data)
    y2 = data.y ** 2
    S = (data.X * y2[:, None]).T @ data.X / data.n_examples
    U, vals = top_eigvecs(S, k)
    return SubspaceResult(U, None, {"method": "method of moments",
                                    "eigenvalues": (vals - y2.mean()) / 2})
