"""Figures of sumdigits, in scikit-learn's Display convention.

Each display is created by a class method (``from_estimator``,
``from_predictions`` and the like) that computes what to show and calls
``plot(ax=None, ...)``; ``plot`` returns the display, whose ``ax_`` (or
``axes_``) and ``figure_`` attributes hold the drawing. matplotlib is imported
only when something is drawn, and TensorFlow never by this package.
"""

from ._confusion import ClassificationReportDisplay, SumConfusionMatrixDisplay
from ._curves import TrainingHistoryDisplay, TrainingSizeDisplay, exponential_smoothing
from ._embedding import EmbeddingDisplay, select_perplexity
from ._pairs import PairGridDisplay, SumDistributionDisplay
from ._probabilities import SumProbabilityDisplay
from ._weights import ConvKernelsDisplay, FeatureMapsDisplay, WeightImagesDisplay

__all__ = [
    "ClassificationReportDisplay",
    "ConvKernelsDisplay",
    "EmbeddingDisplay",
    "FeatureMapsDisplay",
    "PairGridDisplay",
    "SumConfusionMatrixDisplay",
    "SumDistributionDisplay",
    "SumProbabilityDisplay",
    "TrainingHistoryDisplay",
    "TrainingSizeDisplay",
    "WeightImagesDisplay",
    "exponential_smoothing",
    "select_perplexity",
]
