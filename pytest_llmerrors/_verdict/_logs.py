"""The application's log records: captured during a test whatever its logger levels, and read.

The request-id rule asks whether an id appears in an *application* record: `counts` says
which records are the application's, `record_text` what a record says.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .._names import in_packages

#: `LogCapture` instances capturing now (copied on change, so emitting reads it unlocked).
_active: tuple[LogCapture, ...] = ()
_install = threading.Lock()
#: ``Logger.callHandlers`` as it was before the wrapper went in, and whether it is in.
_unwrapped: Callable[[logging.Logger, logging.LogRecord], None] | None = None
_installed = False


def _call_handlers(logger: logging.Logger, record: logging.LogRecord) -> None:
    """Keep `record` for every active capture, then hand it to `logger`'s handlers."""
    for capture in _active:
        capture.keep(record)
    assert _unwrapped is not None  # set before this function is installed
    _unwrapped(logger, record)


class LogCapture:
    """Keeps every record any logger hands to its handlers while it runs.

    Every record a logger emits goes through ``Logger.callHandlers``, which walks up to the
    root: the capture wraps it for the test, so records of loggers that do not propagate to
    the root (``propagate=False``) are kept as well as the others, whichever logger the
    application made and whenever. `stop` unwraps it once no capture runs.

    Like ``caplog.set_level``, it lowers the root logger's level to `level` for the test, so
    records at `level` are emitted even where the application left the default WARNING. It
    goes no lower: that would switch on every library's DEBUG records. Records below `level`
    that a logger configured lower still emits are kept too, so a verdict can say the
    request id was logged, but too quietly. The SDK and HTTP-library loggers (`SDK_LOGGERS`),
    whose records never count for that rule, keep the level they had unless the test sets
    theirs: the httpx records print every URL (API keys in the query too), and the SDKs'
    INFO lines ("Retrying request ...") would only add a record per retry to every test.
    """

    def __init__(self, level: int = logging.INFO) -> None:
        self.open_level = level
        self._records: list[logging.LogRecord] = []
        self._guard = threading.Lock()
        self._saved_level: int | None = None
        self._pinned: list[tuple[logging.Logger, int]] = []

    def keep(self, record: logging.LogRecord) -> None:
        """Keep `record`."""
        with self._guard:
            self._records.append(record)

    @property
    def records(self) -> list[logging.LogRecord]:
        """The records captured so far."""
        with self._guard:
            return list(self._records)

    def start(self) -> None:
        """Start keeping records, and open the root logger to `level`."""
        global _active, _unwrapped, _installed
        root = logging.root
        self._saved_level = root.level
        levels: list[tuple[logging.Logger, int]] = []
        if root.level > self.open_level:
            # The SDKs and HTTP libraries stay as quiet as they were: httpx's INFO records
            # print every URL, API keys in its query included, where nothing was printed
            # without the plugin; none of them counts for the request-id rule.
            for logger in _quiet_loggers():
                if logger.level == logging.NOTSET:
                    levels.append((logger, root.level))
                    self._pinned.append((logger, root.level))
        if root.level > self.open_level or root.level == logging.NOTSET:
            levels.append((root, self.open_level))
        _set_levels(levels)
        with _install:
            if not _installed:
                _unwrapped = logging.Logger.callHandlers
                setattr(logging.Logger, "callHandlers", _call_handlers)  # noqa: B010
                _installed = True
            _active = (*_active, self)

    def stop(self) -> None:
        """Stop keeping records, and restore the root logger's level."""
        global _active, _installed
        with _install:
            _active = tuple(capture for capture in _active if capture is not self)
            # Unwrap only while the wrapper is on top: another tool that wrapped it since
            # calls through it, so it stays in (forwarding only) until the next capture.
            if not _active and logging.Logger.__dict__.get("callHandlers") is _call_handlers:
                setattr(logging.Logger, "callHandlers", _unwrapped)  # noqa: B010
                _installed = False
        levels: list[tuple[logging.Logger, int]] = []
        if self._saved_level is not None:
            levels.append((logging.root, self._saved_level))
            self._saved_level = None
        for logger, level in self._pinned:
            if logger.level == level:  # the test did not set it itself
                levels.append((logger, logging.NOTSET))
        self._pinned.clear()
        _set_levels(levels)


def _set_levels(levels: list[tuple[logging.Logger, int]]) -> None:
    """Set each logger's level, as ``Logger.setLevel`` does, clearing the caches once.

    ``setLevel`` clears the enabled-for cache of every logger in the process (hundreds with
    the SDKs loaded) on each call; a test changes up to three levels at start and at stop.
    """
    changed = [(logger, level) for logger, level in levels if logger.level != level]
    if not changed:
        return
    clear = getattr(logging.Logger.manager, "_clear_cache", None)
    if clear is None:  # a logging without it: the public way, one clear per level
        for logger, level in changed:
            logger.setLevel(level)
        return
    for logger, level in changed:
        logger.level = logging._checkLevel(level)  # type: ignore[attr-defined]  # as setLevel
    clear()


#: Loggers whose records never prove the application logged a request id (nor their children).
SDK_LOGGERS: tuple[str, ...] = (
    "openai",
    "anthropic",
    "google_genai",
    "google",
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
)
_quiet_logger_objects: list[logging.Logger] = []


def _quiet_loggers() -> list[logging.Logger]:
    """The `SDK_LOGGERS`, which keep their level when the root opens (a logger, once made,
    is the same object for the whole process)."""
    if not _quiet_logger_objects:
        _quiet_logger_objects.extend(logging.getLogger(name) for name in SDK_LOGGERS)
    return _quiet_logger_objects


_STANDARD_RECORD_FIELDS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime"}
)


def counts(record: logging.LogRecord, level: int) -> bool:
    """Whether `record` is an application record at `level` or above (not an SDK's)."""
    return record.levelno >= level and not in_packages(record.name, SDK_LOGGERS)


def record_text(record: logging.LogRecord) -> str:
    """Return everything `record` says: message, arguments, exception text, extra fields."""
    parts = []
    try:
        parts.append(record.getMessage())
    except Exception:  # a record whose arguments do not fit its format string
        parts.append(str(record.msg))
    if record.args:
        parts.append(str(record.args))
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        parts.append(record.exc_text)
    parts.extend(
        str(value) for key, value in vars(record).items() if key not in _STANDARD_RECORD_FIELDS
    )
    return "\n".join(parts)
