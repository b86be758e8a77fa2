"""The source article's worked example, as data.

Three images of animals, three classes (cat, dog, pig), and two models that
give each image a probability for every class (article, section 1). Also the
numbers the article prints for them, so that the book can set each printed
value beside the value it computes.

Examples
--------
>>> from xent import article
>>> article.CLASSES
('cat', 'dog', 'pig')
>>> article.LABELS
array([2, 1, 0])
>>> article.MODEL1[2]
array([0.1, 0.2, 0.7])
"""

import numpy as np

__all__ = ["CLASSES", "LABELS", "TARGETS", "MODEL1", "MODEL2", "MODELS", "PRINTED"]

#: The classes, in the order of the columns of the article's tables (猫, 狗, 猪).
CLASSES = ("cat", "dog", "pig")

#: The true class of each of the three samples: pig, dog, cat.
LABELS = np.array([2, 1, 0])

#: The same labels as one-hot rows, as the article's tables print them.
TARGETS = np.eye(len(CLASSES))[LABELS]

#: Model 1's predicted probabilities, one row per sample (article, 模型1).
MODEL1 = np.array([[0.3, 0.3, 0.4],
                   [0.3, 0.4, 0.3],
                   [0.1, 0.2, 0.7]])

#: Model 2's predicted probabilities, one row per sample (article, 模型2).
MODEL2 = np.array([[0.1, 0.2, 0.7],
                   [0.1, 0.7, 0.2],
                   [0.3, 0.4, 0.3]])

#: Both models by name.
MODELS = {"Model 1": MODEL1, "Model 2": MODEL2}

#: Every number the article prints for the example, as printed (strings keep
#: the article's digits; "1/3" is a fraction). Keys: loss, then model.
PRINTED = {
    "classification_error": {"Model 1": {"mean": "1/3"},
                             "Model 2": {"mean": "1/3"}},
    "mean_squared_error": {"Model 1": {"samples": ("0.54", "0.54", "1.34"), "mean": "0.81"},
                           "Model 2": {"samples": ("0.14", "0.14", "0.74"), "mean": "0.34"}},
    "cross_entropy": {"Model 1": {"samples": ("0.91", "0.91", "2.30"), "mean": "1.37"},
                      "Model 2": {"samples": ("0.35", "0.35", "1.20"), "mean": "0.63"}},
}
