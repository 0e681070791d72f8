"""imbalanced-learn's sampler contract, for the samplers of sumdigits.

A sampler changes the training set, not the data a fitted model is asked about:
``fit_resample(X, y)`` returns a new ``(X, y)`` and records in ``sample_indices_``
where each new row came from; ``fit`` only checks the inputs. An
:class:`imblearn.pipeline.Pipeline` calls ``fit_resample`` while fitting and skips
the sampler when it predicts. :class:`BaseSampler` is that contract in
imbalanced-learn's shape (its own ``imblearn.base.BaseSampler`` needs a
``sampling_strategy`` over class counts, 2-D ``X``, single-output classification
targets and keeps the features one to one, none of which fits pair images).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sklearn.base import BaseEstimator
from sklearn.utils import Tags
from sklearn_compat.base import _fit_context

__all__ = ["BaseSampler", "SamplerTags", "SamplerEstimatorTags"]


@dataclass(slots=True)
class SamplerTags:
    """imbalanced-learn's sampler tags.

    Parameters
    ----------
    sample_indices : bool, default=True
        Whether the sampler sets ``sample_indices_``.
    """

    sample_indices: bool = True


@dataclass(slots=True)
class SamplerEstimatorTags(Tags):
    """scikit-learn's tags with imbalanced-learn's ``sampler_tags``."""

    sampler_tags: SamplerTags | None = None


class BaseSampler(BaseEstimator):
    """Base of the samplers: public ``fit_resample`` validates, ``_fit_resample`` samples.

    Subclasses define ``_check_inputs(X, y)``, which validates the parameters'
    meaning and the data and returns the checked ``(X, y)`` (setting
    ``n_features_in_`` and any fitted shape), and ``_fit_resample(X, y)``, which
    returns the new ``(X, y)`` and sets ``sample_indices_``.
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Check the inputs as :meth:`fit_resample` does, without sampling.

        Parameters
        ----------
        X, y : array-like
            As in :meth:`fit_resample`.

        Returns
        -------
        self : object
        """
        self._check_inputs(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y):
        """Validate the inputs and return the resampled data set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        X_resampled : ndarray
        y_resampled : ndarray
            Row ``i`` comes from the input rows ``sample_indices_[i]``.
        """
        X, y = self._check_inputs(X, y)
        return self._fit_resample(X, y)

    def _check_inputs(self, X, y):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _fit_resample(self, X, y):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags = SamplerEstimatorTags(**{f.name: getattr(tags, f.name) for f in fields(tags)},
                                    sampler_tags=SamplerTags())
        tags.estimator_type = "sampler"
        tags.target_tags.required = True
        tags.input_tags.three_d_array = True
        return tags
