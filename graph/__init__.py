"""vanban's core library: read documents, find what they cite, and (later stages) build the graph.

The package exports the verbs; everything else lives in one module per stage:
read (every format) → text → header → citations → relations → extract.
"""

from .errors import InputError, VanbanError
from .extract import Extraction, extract_path, extract_source, extract_text

extract = extract_path

__all__ = ["Extraction", "InputError", "VanbanError", "extract", "extract_path", "extract_source", "extract_text"]
