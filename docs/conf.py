"""Sphinx configuration of the mnistcnn textbook.

Build with ``nox -s docs``. What is executed is set with Sphinx's and the extensions' own
options, which the nox session's options pass as ``-D`` overrides:

* ``-D plot_gallery=0 -D nb_execution_mode=off`` (``--no-exec``): run no example and no
  notebook cell (work on prose);
* ``-D sphinx_gallery_conf.filename_pattern=...`` (``--only q05``): run only the examples
  whose path matches;
* ``-D sphinx_gallery_conf.run_stale_examples=1`` (``--force``): run every example again,
  even if nothing changed.

The build extension is in ``_ext/``: ``textbook`` connects its steps, in order.
"""

import sys
from pathlib import Path

HERE = Path(__file__).parent.resolve()
sys.path.insert(0, str(HERE / "_ext"))

import repository  # noqa: E402

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
    "sphinx_copybutton",
    "textbook",
]

# Where the site's repository is, from the build environment (None in a local build): the
# Colab and source links, the notebooks' first cell and the install instructions follow it
# (and the pages' ``.. only:: repository`` parts: textbook.py tags the build).
REPOSITORY = repository.from_environment()

# sphinx-gallery reruns an example when its source changed; the extension's stale_examples
# module also reruns it when torch, the device or the mnistcnn sources changed.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/q\d\d_",
    "ignore_pattern": r"_exercise\.py$",
    "within_subsection_order": "FileNameSortKey",
    "nested_sections": False,
    "remove_config_comments": True,
    "reset_modules": ("matplotlib", "provenance.reset_example"),
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
    "first_notebook_cell": repository.first_notebook_cell(REPOSITORY),
    # Every name of mnistcnn in a code cell links to its API entry (sphinx-gallery resolves
    # them against this site), under its full module path as the API page documents it
    # (see _ext/api_examples.py); the API page lists the pages that use each name.
    "prefer_full_module": {r"mnistcnn\."},
    "doc_module": ("mnistcnn",),
    "backreferences_dir": "generated/backreferences",
}

# Notebook pages (MyST-NB): executed at every read, a failing cell fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "colon_fence", "substitution"]
myst_substitutions = {
    "pip_install_from_repository": (
        f'```bash\npip install "{repository.pip_requirement(REPOSITORY)}"\n```' if REPOSITORY else ""
    ),
}

# The copy button leaves out the prompts of Python sessions and shells.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

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
html_theme_options = {"navigation_with_keys": True, **repository.furo_options(REPOSITORY)}
