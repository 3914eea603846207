"""Every rule kind. Importing this package registers them all (see ``registry``).

One module per concern, each found here automatically (a new module needs no edit of this
file); each kind is documented in its docstring, which the generated rule reference shows
next to the packs' parameters.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
