"""MNIST loaders: full MNIST from a path, an environment variable or Keras' cache,
and a small embedded subset that works offline."""

from ._mnist import DataFileError, find_mnist, load_mnist

__all__ = ["DataFileError", "find_mnist", "load_mnist"]
