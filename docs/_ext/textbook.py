"""The textbook's build extension: one module per job, each a Sphinx extension of its own.

* :mod:`stale_examples`: rerun a page when torch, the device or ``mnistcnn`` changed;
* :mod:`provenance`: when, where and with which torch each page's outputs were produced;
* :mod:`exercise_files`: each question's exercise script and notebook, and their zip;
* :mod:`build_report`: ``report.json`` and the *Build report* page;
* :mod:`draw_data`: the trained LeNet and some test digits, for the *Draw a digit* page.

They work on the pages listed by :mod:`gallery`, with :mod:`exercises` (exercise text),
:mod:`notebooks` (notebooks, with nbformat) and :mod:`key_numbers`.
"""

JOBS = ("stale_examples", "provenance", "exercise_files", "build_report", "draw_data")


def setup(app):
    for job in JOBS:
        app.setup_extension(job)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
