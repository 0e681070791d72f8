"""Learnt weights as images: a linear model's coefficients, a CNN's first-layer kernels
and the feature maps it makes of one input."""

from __future__ import annotations

import numpy as np

from .._geometry import check_shape
from ._base import _check_fitted_with, _get_grid

__all__ = ["WeightImagesDisplay", "ConvKernelsDisplay", "FeatureMapsDisplay"]


def _check_stack(values, name, ndim):
    arr = np.asarray(values)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}.")
    if arr.ndim != ndim or 0 in arr.shape:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {arr.shape}.")
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return arr


def _draw_panels(panels, titles, *, cmap, symmetric, n_cols, colorbar, ax, caller,
                 extra_first=None, label=None):
    """Draw a stack (n, h, w) of images in a grid with one shared colour scale.

    ``extra_first`` is an image drawn in grey in an extra first panel (the input
    of feature maps). ``n_cols`` is capped at the number of panels. Returns
    ``(figure, axes, images)``.
    """
    n = panels.shape[0] + (extra_first is not None)
    fig, axes = _get_grid(ax, n, caller, n_cols=min(n_cols, n))
    if symmetric:
        vmax = float(np.abs(panels).max()) or 1.0
        vmin = -vmax
    else:
        vmin, vmax = float(panels.min()), float(panels.max())
    flat = list(axes.flat)
    if extra_first is not None:
        flat[0].imshow(extra_first, cmap="gray_r", interpolation="nearest")
        flat[0].set_title("input", fontsize=8)
        flat = flat[1:]
    images = []
    for a, panel, title in zip(flat, panels, titles):
        images.append(a.imshow(panel, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest"))
        a.set_title(title, fontsize=8)
    if colorbar and images:
        fig.colorbar(images[0], ax=list(axes.flat), shrink=0.8, label=label)
    return fig, axes, images


class WeightImagesDisplay:
    """A linear model's weights, one image per class, in the shape of the input image.

    Red pixels push towards the class, blue ones away (on one colour scale,
    symmetric about 0). It is recommended to use :meth:`from_estimator` to
    create it.

    Parameters
    ----------
    weights : ndarray of shape (n_images, height, width)
        The weights, one image per class (or one for a binary model).
    titles : list of str, default=None
        Title of each image.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One axes per image, in a grid.
    images_ : list of matplotlib AxesImage
        The images drawn.
    figure_ : matplotlib Figure
        Figure containing them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn.linear_model import Perceptron
    >>> from sumdigits.plotting import WeightImagesDisplay
    >>> rng = np.random.RandomState(0)
    >>> clf = Perceptron().fit(rng.rand(30, 16), np.arange(30) % 3)
    >>> disp = WeightImagesDisplay.from_estimator(clf, image_shape=(4, 4))
    >>> len(disp.images_), disp.axes_[0, 0].get_title()
    (3, 'class 0')
    """

    def __init__(self, weights, *, titles=None):
        self.weights = weights
        self.titles = titles

    def plot(self, *, cmap="RdBu_r", n_cols=5, colorbar=True, ax=None):
        """Plot the weight images.

        Parameters
        ----------
        cmap : str or matplotlib Colormap, default="RdBu_r"
            A diverging colormap (0 in its middle).
        n_cols : int, default=5
            Images per row.
        colorbar : bool, default=True
            Add one colorbar for all images.
        ax : matplotlib Axes, default=None
            Axes whose area the grid fills; a new figure when None.

        Returns
        -------
        display : WeightImagesDisplay
        """
        weights = _check_stack(self.weights, "weights", 3)
        titles = self.titles or [str(i) for i in range(weights.shape[0])]
        self.figure_, self.axes_, self.images_ = _draw_panels(
            weights, titles, cmap=cmap, symmetric=True, n_cols=n_cols, colorbar=colorbar, ax=ax,
            caller="WeightImagesDisplay.plot", label="weight")
        return self

    @classmethod
    def from_estimator(cls, estimator, *, image_shape=(28, 28), add_intercept=False,
                       cmap="RdBu_r", n_cols=5, colorbar=True, ax=None):
        """Plot the ``coef_`` of a fitted linear model as images.

        Parameters
        ----------
        estimator : estimator instance
            Fitted linear model with ``coef_`` of shape (n_classes, n_pixels),
            or (1, n_pixels) for two classes (scikit-learn's Perceptron,
            LogisticRegression, :class:`~sumdigits.perceptron.StepDecayPerceptron`),
            or a :class:`~sklearn.pipeline.Pipeline` ending in one.
        image_shape : tuple of int, default=(28, 28)
            (height, width) of the whole images the model was fitted on, flattened:
            one digit by default, ``(28, 56)`` for side-by-side pairs.
        add_intercept : bool, default=False
            Add each class's ``intercept_`` to its weights (the "weight + bias"
            view).
        cmap, n_cols, colorbar, ax
            As in :meth:`plot`.

        Returns
        -------
        display : WeightImagesDisplay
        """
        model = estimator[-1] if hasattr(estimator, "steps") else estimator
        _check_fitted_with(model, None, f"{cls.__name__}.from_estimator")
        if not hasattr(model, "coef_"):
            raise TypeError(f"{cls.__name__}.from_estimator needs a linear model with coef_; "
                            f"{type(model).__name__} has none.")
        image_shape = check_shape(image_shape, name="image_shape")
        coef = np.atleast_2d(np.asarray(model.coef_, dtype=float))
        if coef.shape[1] != image_shape[0] * image_shape[1]:
            raise ValueError(f"the estimator has {coef.shape[1]} weights per class, but "
                             f"image_shape={image_shape} has {image_shape[0] * image_shape[1]} "
                             "pixels.")
        if add_intercept:
            coef = coef + np.ravel(getattr(model, "intercept_", 0.0))[:, None]
        classes = getattr(model, "classes_", np.arange(coef.shape[0]))
        if coef.shape[0] == 1 and len(classes) == 2:
            titles = [f"{classes[1]} vs {classes[0]}"]
        else:
            titles = [f"class {c}" for c in classes[: coef.shape[0]]]
        return cls(coef.reshape(-1, *image_shape), titles=titles).plot(
            cmap=cmap, n_cols=n_cols, colorbar=colorbar, ax=ax)


def _keras_model(estimator, caller):
    """The fitted Keras model of a scikeras estimator (``model_``)."""
    _check_fitted_with(estimator, None, caller)
    model = getattr(estimator, "model_", None)
    if model is None or not hasattr(model, "layers"):
        raise TypeError(f"{caller} needs a fitted Keras estimator with a model_ (such as "
                        f"sumdigits.keras.CNNClassifier); {type(estimator).__name__} has none.")
    return model


def _first_conv_layer(model, layer, caller):
    """The layer named ``layer``, or the first layer with a 4-D (2-D convolution) kernel."""
    if layer is not None:
        try:
            return model.get_layer(layer)
        except ValueError:
            names = [lay.name for lay in model.layers]
            raise ValueError(f"layer {layer!r} is not in the model; its layers are {names}.") \
                from None
    for lay in model.layers:
        kernel = getattr(lay, "kernel", None)
        if kernel is not None and len(kernel.shape) == 4:
            return lay
    raise ValueError(f"{caller}: the model has no 2-D convolution layer.")


class ConvKernelsDisplay:
    """The kernels of a convolution layer, one small image per filter.

    It is recommended to use :meth:`from_estimator` to create it.

    Parameters
    ----------
    kernels : ndarray of shape (kernel_height, kernel_width, in_channels, n_filters)
        The weights, as Keras stores a ``Conv2D`` kernel. Several input
        channels are averaged.
    layer_name : str, default=None
        Name of the layer, for the title.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One axes per filter.
    images_ : list of matplotlib AxesImage
        The kernels drawn.
    figure_ : matplotlib Figure
        Figure containing them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sumdigits.plotting import ConvKernelsDisplay
    >>> disp = ConvKernelsDisplay(np.random.RandomState(0).randn(3, 3, 1, 8)).plot()
    >>> len(disp.images_)
    8
    """

    def __init__(self, kernels, *, layer_name=None):
        self.kernels = kernels
        self.layer_name = layer_name

    def plot(self, *, cmap="RdBu_r", n_cols=8, colorbar=True, ax=None):
        """Plot the kernels on one colour scale, symmetric about 0.

        Parameters
        ----------
        cmap : str or matplotlib Colormap, default="RdBu_r"
            A diverging colormap.
        n_cols : int, default=8
            Kernels per row.
        colorbar : bool, default=True
            Add one colorbar for all kernels.
        ax : matplotlib Axes, default=None
            Axes whose area the grid fills; a new figure when None.

        Returns
        -------
        display : ConvKernelsDisplay
        """
        kernels = _check_stack(self.kernels, "kernels", 4)
        panels = kernels.mean(axis=2).transpose(2, 0, 1)  # (n_filters, kh, kw)
        titles = [f"filter {i}" for i in range(panels.shape[0])]
        self.figure_, self.axes_, self.images_ = _draw_panels(
            panels, titles, cmap=cmap, symmetric=True, n_cols=n_cols, colorbar=colorbar, ax=ax,
            caller="ConvKernelsDisplay.plot", label="weight")
        if self.layer_name:
            self.figure_.suptitle(f"kernels of layer {self.layer_name!r}")
        return self

    @classmethod
    def from_estimator(cls, estimator, *, layer=None, cmap="RdBu_r", n_cols=8, colorbar=True,
                       ax=None):
        """Plot the kernels of a fitted Keras CNN's first convolution layer.

        Parameters
        ----------
        estimator : estimator instance
            A fitted Keras estimator with a convolution layer (e.g.
            :class:`~sumdigits.keras.CNNClassifier`).
        layer : str, default=None
            Name of the layer; the first 2-D convolution when None.
        cmap, n_cols, colorbar, ax
            As in :meth:`plot`.

        Returns
        -------
        display : ConvKernelsDisplay
        """
        caller = f"{cls.__name__}.from_estimator"
        conv = _first_conv_layer(_keras_model(estimator, caller), layer, caller)
        return cls(np.asarray(conv.kernel), layer_name=conv.name).plot(
            cmap=cmap, n_cols=n_cols, colorbar=colorbar, ax=ax)


class FeatureMapsDisplay:
    """The feature maps a convolution layer makes of one input image.

    It is recommended to use :meth:`from_estimator` to create it.

    Parameters
    ----------
    feature_maps : ndarray of shape (height, width, n_maps)
        The layer's output for one input.
    image : ndarray of shape (image_height, image_width), default=None
        The input, drawn first when given.
    layer_name : str, default=None
        Name of the layer, for the title.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One axes per map (after the input's).
    images_ : list of matplotlib AxesImage
        The maps drawn.
    figure_ : matplotlib Figure
        Figure containing them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sumdigits.plotting import FeatureMapsDisplay
    >>> maps = np.random.RandomState(0).rand(14, 28, 4)
    >>> disp = FeatureMapsDisplay(maps, image=np.zeros((28, 56))).plot()
    >>> len(disp.images_), disp.axes_.flat[0].get_title()
    (4, 'input')
    """

    def __init__(self, feature_maps, *, image=None, layer_name=None):
        self.feature_maps = feature_maps
        self.image = image
        self.layer_name = layer_name

    def plot(self, *, cmap="viridis", n_cols=8, colorbar=True, ax=None):
        """Plot the maps, on one colour scale.

        Parameters
        ----------
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the maps.
        n_cols : int, default=8
            Panels per row.
        colorbar : bool, default=True
            Add one colorbar for all maps.
        ax : matplotlib Axes, default=None
            Axes whose area the grid fills; a new figure when None.

        Returns
        -------
        display : FeatureMapsDisplay
        """
        maps = _check_stack(self.feature_maps, "feature_maps", 3).transpose(2, 0, 1)
        image = None if self.image is None else _check_stack(self.image, "image", 2)
        titles = [f"map {i}" for i in range(maps.shape[0])]
        self.figure_, self.axes_, self.images_ = _draw_panels(
            maps, titles, cmap=cmap, symmetric=False, n_cols=n_cols, colorbar=colorbar, ax=ax,
            caller="FeatureMapsDisplay.plot", extra_first=image, label="activation")
        if self.layer_name:
            self.figure_.suptitle(f"feature maps of layer {self.layer_name!r}")
        return self

    @classmethod
    def from_estimator(cls, estimator, X, *, layer=None, cmap="viridis", n_cols=8,
                       colorbar=True, ax=None):
        """Plot the feature maps a fitted Keras CNN makes of one input.

        Parameters
        ----------
        estimator : estimator instance
            A fitted Keras estimator with a convolution layer (e.g.
            :class:`~sumdigits.keras.CNNClassifier`), whose ``feature_encoder_``
            prepares its input.
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Input in the form ``estimator`` takes; only the first sample is
            shown (pass ``X[i:i + 1]`` for sample ``i``).
        layer : str, default=None
            Name of the layer whose output is shown. By default the first 2-D
            convolution, after its activation when the network names that
            layer ``<conv name>_act`` (as the builders of
            :mod:`sumdigits.keras.builders` do).
        cmap, n_cols, colorbar, ax
            As in :meth:`plot`.

        Returns
        -------
        display : FeatureMapsDisplay
        """
        caller = f"{cls.__name__}.from_estimator"
        model = _keras_model(estimator, caller)
        X = np.asarray(X)
        if X.ndim < 2 or X.shape[0] < 1:
            raise ValueError(f"X must hold at least one sample, shape (1, n_features) or "
                             f"(1, height, width); got shape {X.shape}.")
        x = X[:1]
        encoded = estimator.feature_encoder_.transform(x)
        target = _first_conv_layer(model, layer, caller)
        if layer is None:
            names = {lay.name for lay in model.layers}
            if f"{target.name}_act" in names:
                target = model.get_layer(f"{target.name}_act")
        import keras

        maps = keras.Model(model.inputs, target.output).predict(encoded, verbose=0)
        maps = np.asarray(maps)
        if maps.ndim != 4:
            raise ValueError(f"layer {target.name!r} outputs shape {maps.shape[1:]}, not "
                             "feature maps (height, width, channels).")
        encoded = np.asarray(encoded, dtype=float)
        image = None if encoded.ndim < 3 else \
            encoded[0].reshape(encoded.shape[1], encoded.shape[2], -1).mean(axis=-1)
        return cls(maps[0], image=image, layer_name=target.name).plot(
            cmap=cmap, n_cols=n_cols, colorbar=colorbar, ax=ax)
