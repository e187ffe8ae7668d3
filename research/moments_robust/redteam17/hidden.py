"""The sixteenth red team's research-only ``hidden_lever`` (registered on
import), loaded from ``research/moments_robust/redteam16/hidden.py``: this
team ran it unchanged."""
import importlib.util
import os

_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "redteam16", "hidden.py")
_spec = importlib.util.spec_from_file_location("redteam16_hidden", _path)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
globals().update({k: v for k, v in vars(_module).items() if not k.startswith("__")})
