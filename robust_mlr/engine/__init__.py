"""The experiment engine: sweeps of parameter points × seeds with
deterministic seeds, resumable tidy CSV results, local processes or Dask."""

from .experiment import Experiment, Trial, expand_grid, trial_seed
from .registry import available_experiments, get_experiment, load_toml
from ._files import OutputPathError
from .runner import SweepInterrupted, format_summary, run_sweep, run_trial, summarize
from .storage import ResultsFileBusyError, ResultsFileWarning, read_results

__all__ = ["Experiment", "Trial", "expand_grid", "trial_seed", "available_experiments",
           "get_experiment", "load_toml", "run_sweep", "run_trial", "summarize",
           "format_summary", "read_results", "ResultsFileBusyError",
           "ResultsFileWarning", "SweepInterrupted", "OutputPathError"]
