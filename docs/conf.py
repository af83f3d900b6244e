"""Sphinx configuration of the mnistcnn textbook.

Build with ``nox -s docs``. These environment variables, set by the nox session's
options, change what is executed:

* ``MNISTCNN_DOCS_EXEC=0``: run no example and no notebook cell (work on prose);
* ``MNISTCNN_DOCS_ONLY=q05``: run only the examples whose file name matches;
* ``MNISTCNN_DOCS_FORCE=1``: run every example again, even if nothing changed.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).parent.resolve()
sys.path.insert(0, str(HERE / "_ext"))

import textbook  # noqa: E402

import mnistcnn  # noqa: E402

project = "mnistcnn"
author = "the mnistcnn authors"
copyright = "2026, the mnistcnn authors. MNIST: Y. LeCun, C. Cortes, C.J.C. Burges, CC BY-SA 3.0"
release = version = mnistcnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    # A copy of MathJax in the site, so that formulas render without network too.
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
    "myst_nb",
    "textbook",
    "accessibility",
]

EXECUTE = os.environ.get("MNISTCNN_DOCS_EXEC", "1") != "0"
ONLY = os.environ.get("MNISTCNN_DOCS_ONLY", "")
FORCE = os.environ.get("MNISTCNN_DOCS_FORCE", "0") == "1"

# sphinx-gallery only compares an example with its own last run; widen the key to the
# torch version, the device and the mnistcnn sources (see textbook.invalidate_stale_examples).
if EXECUTE:
    textbook.invalidate_stale_examples(HERE.parent / "examples", HERE / "auto_examples", force=FORCE)
textbook_fingerprint = textbook.environment_key() + ";mnistcnn=" + textbook.fingerprint_of_package()

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": rf"/[^/]*{ONLY}[^/]*\.py$" if ONLY else r"/q\d\d_",
    "ignore_pattern": r"_exercise\.py$",
    "plot_gallery": "True" if EXECUTE else "False",
    "within_subsection_order": "FileNameSortKey",
    "nested_sections": False,
    "remove_config_comments": True,
    "reset_modules": ("matplotlib", "textbook.reset_example"),
    "reset_modules_order": "before",
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "junit": "../test-results/sphinx-gallery/junit.xml",
    "download_all_examples": True,
    "show_memory": False,
    "matplotlib_animations": False,
    # Its computation-times page loads jQuery and DataTables from CDNs; the build report lists the times.
    "write_computation_times": False,
    "image_srcset": ["2x"],
    "first_notebook_cell": (
        "# This notebook is a page of the mnistcnn textbook. It needs the mnistcnn package\n"
        "# (from a checkout of the project: pip install -e /path/to/mnistcnn), which brings\n"
        "# torch, numpy and matplotlib. MNIST is downloaded on first use into\n"
        "# ~/.cache/mnistcnn/mnist; to use a folder that already holds the four files, run\n"
        "#     import os; os.environ['MNISTCNN_DATA'] = '/path/to/mnist'\n"
        "# before the first cell that loads data.\n"
        "%matplotlib inline"
    ),
}

# Notebook pages (MyST-NB): executed at every read, a failing cell fails the build.
nb_execution_mode = "force" if EXECUTE else "off"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "colon_fence"]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
exclude_patterns = [
    "_build",
    "jupyter_execute",
    # sphinx-gallery writes notebooks and their sources next to its pages: they are downloads, not pages.
    "auto_examples/**/*.ipynb",
    "auto_examples/**/*.py",
    "auto_examples/**/*.md5",
    "auto_examples/*.ipynb",
    "**/README.rst",
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = False
napoleon_numpy_docstring = True

html_theme = "furo"
html_title = "mnistcnn — an executable textbook"
html_static_path = ["_static"]
html_css_files = ["textbook.css"]
html_js_files = ["scrollable.js"]
html_favicon = "_static/favicon.svg"
html_theme_options = {"navigation_with_keys": True}
