"""The textbook's build extension: the order of the build, in one place.

Each step's code is in a module of its own job:

* :mod:`stale_examples`: rerun a page when torch, the device or ``mnistcnn`` changed;
* :mod:`provenance`: when, where and with which torch each page's outputs were produced;
* :mod:`exercise_files`: each question's exercise script and notebook, and their zip;
* :mod:`build_report`: ``report.json`` and the *Build report* page;
* :mod:`repository`: links to the repository the site is built from (Colab, sources);
* :mod:`api_examples`: the API page and the question pages, linked both ways;
* :mod:`accessibility`: headings that assistive technology can read;
* :mod:`draw_data`: the trained LeNet and some test digits, for the *Draw a digit* page.

They work on the pages listed by :mod:`gallery`, with :mod:`exercises` (exercise text),
:mod:`notebooks` (notebooks, with nbformat) and :mod:`key_numbers`. :func:`setup` connects
every step to its Sphinx event; steps of one event run in the order they are connected
here, unless a priority says otherwise (Sphinx's default is 500).
"""

import accessibility
import api_examples
import build_report
import draw_data
import exercise_files
import provenance
import repository
import stale_examples

# sphinx-gallery, at builder-inited, completes its configuration (priority 10), then runs the
# examples and writes their pages (500). Our steps around it:
BEFORE_THE_GALLERY_RUNS = 400
AFTER_THE_GALLERY_RAN = 800


def tag_a_build_that_knows_its_repository(app, config) -> None:
    """config-inited: the ``repository`` tag, for the pages' ``.. only:: repository`` parts."""
    if repository.from_environment() is not None:
        app.tags.add("repository")


def setup(app):
    # 1. Configuration: a fingerprint of torch, the device and the package, an ``env`` value,
    #    so that Sphinx reads every document again (the API page, the MyST pages) when it changes;
    #    the ``repository`` tag where the build knows its repository.
    app.add_config_value("textbook_fingerprint", "", "env")
    app.connect("config-inited", stale_examples.set_fingerprint)
    app.connect("config-inited", tag_a_build_that_knows_its_repository)

    # 2. Before sphinx-gallery runs the examples: forget the MD5 of those whose torch, device
    #    or package changed, so that it runs them again.
    app.connect("builder-inited", stale_examples.rerun_stale_examples, priority=BEFORE_THE_GALLERY_RUNS)

    # 3. After it ran them, in this order: the provenance of each page that ran; the exercises,
    #    made from the pages and their notebooks; the build report, which reads both.
    app.connect("builder-inited", provenance.record, priority=AFTER_THE_GALLERY_RAN)
    app.connect("builder-inited", exercise_files.write_exercises, priority=AFTER_THE_GALLERY_RAN)
    app.connect("builder-inited", build_report.write_report, priority=AFTER_THE_GALLERY_RAN)

    # 4. Reading each page's source: the provenance line under its running time, the exercise
    #    downloads after its own, the Colab links.
    app.connect("source-read", provenance.add_provenance_line)
    app.connect("source-read", exercise_files.add_downloads)
    app.connect("source-read", repository.add_colab_links)

    # 5. The API page: its names under their short names too, and the pages that use each one.
    app.connect("doctree-read", api_examples.note_public_names)
    app.connect("autodoc-process-docstring", api_examples.add_minigallery)

    # 6. Writing HTML: headings with a level, the "view/edit this page" links to the page's file.
    app.set_translator("html", accessibility.HTMLTranslator)
    app.connect("html-page-context", repository.link_page_sources)

    # 7. After the site is written: report.json at its top, the Draw a digit page's network and
    #    digits, the notebooks that the Colab links open.
    app.connect("build-finished", build_report.publish_report)
    app.connect("build-finished", draw_data.write)
    app.connect("build-finished", repository.publish_notebooks)

    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
