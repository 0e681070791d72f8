"""TensorFlow loaded without its start-up notices on the terminal.

While its native libraries load, TensorFlow writes notices that nobody using
sumdigits can act on, from C++ straight to the process' file descriptor 2, where
neither Python's ``logging`` nor ``warnings`` can filter them:

- ``WARNING: All log messages before absl::InitializeLog() is called are written to
  STDERR`` (absl, once per native library that logs);
- ``... port.cc:153] oneDNN custom operations are on. ...`` (logged through absl since
  TensorFlow 2.16, so ``TF_CPP_MIN_LOG_LEVEL`` does not silence it);
- ``... cpu_feature_guard.cc:...] This TensorFlow binary is optimized to use available
  CPU instructions ...`` and its second line, when ``TF_CPP_MIN_LOG_LEVEL`` is 0.

:func:`import_keras_quietly` imports Keras (and so TensorFlow) with file
descriptor 2 pointed at a temporary file, then puts descriptor 2 back and writes
every captured line that is not one of those notices to it, in order. Nothing
else is changed: no environment variable, no logger, no log level. Setting
``TF_CPP_MIN_LOG_LEVEL=0`` (TensorFlow's own switch for its informational
messages) keeps the notices.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

# Whole lines (bytes, without the newline) that are dropped.
_NOTICES = re.compile(
    rb"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    rb"|.*\] oneDNN custom operations are on\. .*"
    rb"|.*cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized to use available CPU "
    rb"instructions in performance-critical operations\."
    rb"|To enable the following instructions: .*, in other operations, rebuild TensorFlow with "
    rb"the appropriate compiler flags\."
)


def drop_startup_notices(text):
    """``text`` (bytes) without the lines that are TensorFlow start-up notices.

    Parameters
    ----------
    text : bytes
        What TensorFlow's native libraries wrote to standard error.

    Returns
    -------
    bytes
        The other lines, in their order, each with its line ending.

    Examples
    --------
    >>> from sumdigits.keras._startup import drop_startup_notices
    >>> drop_startup_notices(b"I0000 00:00:1.0  1 port.cc:153] oneDNN custom operations "
    ...                      b"are on. You may see ...\\nE0000 real error\\n")
    b'E0000 real error\\n'
    """
    lines = text.splitlines(keepends=True)
    return b"".join(line for line in lines if not _NOTICES.fullmatch(line.rstrip(b"\r\n")))


def import_keras_quietly():
    """Import Keras, and with it TensorFlow, without TensorFlow's start-up notices.

    A no-op when Keras is already imported (the notices, if any, were printed
    then), when ``TF_CPP_MIN_LOG_LEVEL`` is ``"0"``, or when file descriptor 2 is
    not open. Lines other than the notices come out after the import instead of
    during it.
    """
    if "keras" in sys.modules or os.environ.get("TF_CPP_MIN_LOG_LEVEL", "").strip() == "0":
        import keras  # noqa: F401

        return
    try:
        captured = tempfile.TemporaryFile()
    except OSError:  # nowhere to hold the notices: import as it comes
        import keras  # noqa: F401

        return
    with captured:
        try:
            _flush_stderr()
            saved = os.dup(2)
        except (OSError, ValueError):  # no standard error to protect
            import keras  # noqa: F401

            return
        try:
            os.dup2(captured.fileno(), 2)
            import keras  # noqa: F401
        finally:
            # Descriptor 2 is put back whatever happens: a failing flush or write
            # must neither keep it on the file nor hide the import's own error.
            try:
                _flush_stderr()
            except (OSError, ValueError):
                pass
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = memoryview(drop_startup_notices(captured.read()))
            try:
                while kept:
                    kept = kept[os.write(2, kept):]
            except OSError:
                pass


def _flush_stderr():
    if sys.stderr is not None:
        sys.stderr.flush()
