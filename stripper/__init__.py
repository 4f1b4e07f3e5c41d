"""stripper: keep the editorial text of scraped articles, drop appeals, captions and boilerplate.

    >>> import stripper
    >>> stripper.clean(page)                      # str or bytes, plain text or HTML
    >>> stripper.label(page)                      # [Paragraph(index, text, label, probs), ...]
    >>> s = stripper.Stripper(keep=("content", "caption"))
    >>> list(s.clean_many(pages))
"""

__version__ = "0.1.0"

from .api import DEFAULT_KEEP, Stripper, clean, label  # noqa: E402
from .document import LABELS, Document, Hints, Paragraph  # noqa: E402
from .model import ModelError, load_model  # noqa: E402
from .readers import InputError, read  # noqa: E402

__all__ = ["DEFAULT_KEEP", "LABELS", "Document", "Hints", "InputError", "ModelError", "Paragraph", "Stripper",
           "__version__", "clean", "label", "load_model", "read"]
