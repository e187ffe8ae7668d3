"""The adversary (Kong, Somani, Kakade, Oh, NeurIPS 2020): replace ⌊α n⌋ whole tasks per pool.

>>> from robust_mlr import make_params, make_pools
>>> from robust_mlr.adversary import corrupt_pools
>>> theta = make_params(8, 2, rng=0)
>>> pools = make_pools(theta, 200, 2, 40, 32, 100, 4, rng=1)
>>> bad = corrupt_pools(pools, "subspace_spike", 0.05, theta=theta, rng=2)
>>> int(bad.masks["light1"].sum()), int(bad.masks["heavy"].sum())
(10, 0)
"""

from ._base import (ATTACKS, Attack, AttackContext, attack_settings, budget, corrupt_pools,
                    default_settings, get_attack, register)
from .attacks import (CATALOGUE, CentreShift, ClusterBridging, FakeCluster, GradientAligned,
                      HeavyTailed, LeveragePoints, MultiDirection, RandomLabels, SignFlip,
                      SubspaceSpike, Targeted, ThresholdAware, VarianceHiding)
from .adaptive import (ComponentMimic, ComponentShift, CovariateSpike, ExtremeValues,
                       VarianceInflation)
from .composite import Poolwise
from .whitebox_attacks import (CandidateOverflow, CentreDrag, MedianPush, QuantileSwap,
                               SignalTheft, SureMimic)
from .edge import EdgePlacement, EdgeSpike, NoiseEdge, read_thresholds
from .anchor_attacks import AnchorEdge, AnchorStarve
from .covariate_attacks import CovariateTilt
from .pooling_attacks import AnchorMatch, AnchorSelect, AnchorSpread, Seeded
from .gate_attacks import AnchorLeak, VarianceNeutral
from .gate_pairing import GateMatch, GateSeeded
from .midpoint import Midpoint, midpoint_world
from .median_attacks import MedianDecoy
from .park_attacks import MedianPark
from .lever_attacks import LeverShift
from .clip_attacks import ClipLever
from .dilute_attacks import DilutedLever
from .hide_attacks import HiddenLever
from .shaped_attacks import ShapedLever
from .moment_attacks import Copies, DirectionSwap, TrimSpike
from .ladder_attacks import Ladder
from .redteam import RedTeamResult, red_team

__all__ = ["ATTACKS", "CATALOGUE", "Attack", "AttackContext", "attack_settings",
           "default_settings", "budget", "corrupt_pools",
           "get_attack", "register", "SubspaceSpike", "MultiDirection", "VarianceHiding", "ThresholdAware",
           "FakeCluster", "ClusterBridging", "CentreShift", "SignFlip", "GradientAligned",
           "LeveragePoints", "RandomLabels", "HeavyTailed", "Targeted", "CovariateSpike",
           "ExtremeValues", "ComponentShift", "VarianceInflation", "ComponentMimic", "Poolwise",
           "CandidateOverflow", "MedianPush", "QuantileSwap", "CentreDrag", "SureMimic",
           "SignalTheft", "MedianPark", "EdgePlacement", "EdgeSpike", "NoiseEdge", "read_thresholds",
           "Midpoint", "midpoint_world", "TrimSpike", "DirectionSwap", "Copies",
           "AnchorEdge", "AnchorStarve", "CovariateTilt", "AnchorMatch", "AnchorSelect",
           "AnchorSpread", "Seeded", "AnchorLeak", "VarianceNeutral", "GateSeeded", "GateMatch",
           "MedianDecoy", "LeverShift", "ClipLever", "DilutedLever", "HiddenLever", "ShapedLever",
           "Ladder", "red_team", "RedTeamResult"]
