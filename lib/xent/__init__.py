"""xent: cross-entropy losses, activations and their exact gradients, in NumPy.

The library of the book *Cross-Entropy, Derived*. Every function the book's
chapters use lives here; the chapters derive the formulas and check them
against this code.

Arrays are NumPy arrays, converted to float64 (labels to int64); a batch is
the first axis, classes the last. Every function checks its input first and
refuses a bad one with a ``ValueError`` or ``TypeError`` that names the
argument; no function modifies its input. The public API is listed in
``__all__`` of the modules ``activations``, ``losses``, ``binary``,
``binary_logits``, ``multiclass``, ``logits``, ``gradcheck`` and ``chunked``,
and the margin losses of face recognition: ``soft_margin`` (SM-Softmax), ``lsoftmax`` (L-Softmax),
``sphereface``, ``cosface`` (CosFace, AM-Softmax), ``arcface`` and
``combined_margin``; ``training`` (a small feature network, heads, Adam) and
``verification`` (pair scores, ROC AUC, verification accuracy), all imported here.

``import xent`` needs NumPy alone. The book's figure style, ``xent.plotting``,
needs Matplotlib (the distribution's extra ``[plot]``) and is imported on first
use: ``from xent import plotting``, ``import xent.plotting`` or the attribute
``xent.plotting`` all work.
"""

__version__ = "0.1.0"

from .activations import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .binary import *  # noqa: F401,F403
from .binary_logits import *  # noqa: F401,F403
from .multiclass import *  # noqa: F401,F403
from .logits import *  # noqa: F401,F403
from .gradcheck import *  # noqa: F401,F403
from .chunked import *  # noqa: F401,F403
from .lsoftmax import *  # noqa: F401,F403
from .sphereface import *  # noqa: F401,F403
from .soft_margin import *  # noqa: F401,F403
from .cosface import *  # noqa: F401,F403
from .arcface import *  # noqa: F401,F403
from .combined_margin import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
from .verification import *  # noqa: F401,F403
from .calibration import *  # noqa: F401,F403
from .sharded import *  # noqa: F401,F403
from .sampled_gradcheck import *  # noqa: F401,F403


_LAZY = ("plotting",)  # submodules imported on first use (plotting needs matplotlib)


def __getattr__(name):
    """Import a lazy submodule on first access of ``xent.<name>`` (PEP 562)."""
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
