"""Run downloaded notebooks top to bottom, each in a fresh Jupyter kernel, as a student would.

Usage: ``python tests/run_notebooks.py [--warnings-are-errors] NOTEBOOK...`` (``nox -s notebooks``
passes the solution notebooks of a built site, in page order). It needs only what a
student has: mnistcnn, torch, and nbclient/nbformat/ipykernel to run a notebook.

Every notebook runs in an empty folder of its own, in the order given, with the
environment of this process (``MNISTCNN_DATA``, ``MNISTCNN_CACHE``). With
``--warnings-are-errors``, a DeprecationWarning, FutureWarning or UserWarning raised by the
notebook's code or by the libraries it calls fails its cell (the kernel's own machinery is
exempt). A failure names the notebook, the cell and the error. Exit status 1 if any failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import torch
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

# Run in the kernel before the notebook's first cell.
WARNINGS_ARE_ERRORS = """\
import warnings
for category in (DeprecationWarning, FutureWarning, UserWarning):
    warnings.filterwarnings("error", category=category)
# The kernel's own machinery is not the notebook's code.
warnings.filterwarnings("default", module=r"(ipykernel|jupyter_client|zmq|tornado|IPython|traitlets|comm|asyncio)\\b")
"""


def _first_line(cell) -> str:
    lines = [line for line in cell.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return lines[0].strip() if lines else "(no code)"


def run_notebook(path: Path, warnings_are_errors: bool) -> str | None:
    """Run one notebook; the reason it failed, or None."""
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="notebook-") as folder:
        # The kernel talks to this process over local sockets (IPC), not over TCP.
        kernel = KernelManager(kernel_name="python3", transport="ipc", connection_file=f"{folder}/kernel.json")
        client = NotebookClient(
            notebook, km=kernel, timeout=900, startup_timeout=300, resources={"metadata": {"path": folder}}
        )
        client.reset_execution_trackers()
        try:
            with client.setup_kernel():
                if warnings_are_errors:
                    client.execute_cell(nbformat.v4.new_code_cell(WARNINGS_ARE_ERRORS), 0)
                for index, cell in enumerate(notebook.cells):
                    if cell.cell_type != "code":
                        continue
                    try:
                        client.execute_cell(cell, index)
                    except CellExecutionError as err:
                        where = f"cell {index + 1} of {len(notebook.cells)} ({_first_line(cell)})"
                        return f"{where}: {err.ename}: {err.evalue}"
        except RuntimeError as err:  # the kernel did not start or died
            return f"the kernel failed: {err}"
        finally:
            # A kernel manager handed to nbclient is the caller's to shut down.
            if kernel.has_kernel:
                kernel.shutdown_kernel(now=True)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--warnings-are-errors", action="store_true")
    args = parser.parse_args(argv)
    print(f"torch {torch.__version__}, Python {sys.version.split()[0]}", flush=True)
    failed = []
    for path in args.notebooks:
        start = time.perf_counter()
        reason = run_notebook(path, args.warnings_are_errors)
        seconds = time.perf_counter() - start
        print(f"{'FAILED' if reason else 'passed'}  {path.name} ({seconds:.0f} s){': ' + reason if reason else ''}")
        sys.stdout.flush()
        if reason:
            failed.append(path.name)
    passed = len(args.notebooks) - len(failed)
    print(f"{passed}/{len(args.notebooks)} notebooks passed with torch {torch.__version__}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
