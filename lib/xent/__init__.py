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
``combined_margin``, all imported here.
"""

__version__ = "0.1.0"

from . import plotting  # noqa: F401
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
from .calibration import *  # noqa: F401,F403
from .sharded import *  # noqa: F401,F403
from .sampled_gradcheck import *  # noqa: F401,F403
