"""What the checks stand on, kept from the student's code: libraries as they were, values as plain data.

The runner (:mod:`mnistcnn.grader.runner`) takes a :class:`Snapshot` before any student code
runs. Before each check statement, :meth:`Snapshot.restore` puts back every module attribute
(``torch.equal``, ``builtins.len``, ``sys.modules["torch"]``…) and every attribute of the
tensor classes that the student's code replaced, added or deleted, and :meth:`Snapshot.plain`
reduces the student's values to the types the checks expect, without calling any method the
student wrote: an ``int`` subclass whose ``==`` is always true is an ``int`` again, a tensor
subclass a ``torch.Tensor``, and the student's functions return plain values too.
"""

from __future__ import annotations

import builtins
import collections
import functools
import sys
import types

import numpy
import torch

_MISSING = object()
# Atoms the checks compare; their types cannot be subclassed or patched.
_ATOMS = (type(None), bool, int, float, complex, str, bytes)
_LIBRARIES = ("builtins", "collections", "numpy", "torch")
_DEPTH = 4  # how deep containers are reduced: a list of lists of tensors, not a whole object graph


class Snapshot:
    """The modules and tensor classes of this process as they are now, to be put back later."""

    def __init__(self) -> None:
        self.modules = dict(sys.modules)
        self.attributes = [(m, dict(vars(m))) for m in set(self.modules.values()) if isinstance(m, types.ModuleType)]
        self.trusted = {
            value
            for module in self.modules.values()
            if isinstance(module, types.ModuleType) and module.__name__.split(".")[0] in _LIBRARIES
            for value in list(vars(module).values())
            if issubclass(type(value), type)  # never value.__class__, which a deprecated alias warns on
        }
        patchable = [c for c in self.trusted if issubclass(c, (torch.Tensor, torch.nn.Module)) or c is torch.Tensor]
        self.classes = [(c, dict(vars(c))) for c in patchable]
        self._set, self._delete = setattr, delattr  # the student may replace builtins.setattr

    def restore(self) -> list:
        """Put back every module attribute, ``sys.modules`` entry and tensor class attribute the
        student changed; return the changes, for :meth:`undo`."""
        set_attribute, delete = self._set, self._delete
        changes = []
        for name, module in self.modules.items():
            if (now := sys.modules.get(name, _MISSING)) is not module:
                changes.append((sys.modules, name, now))
                sys.modules[name] = module
        for module, saved in self.attributes:
            now = vars(module)
            for key, value in saved.items():
                if (current := now.get(key, _MISSING)) is not value:
                    changes.append((now, key, current))
                    now[key] = value
        for cls, saved in self.classes:
            now = dict(vars(cls))
            for key in now.keys() - saved.keys():
                changes.append((cls, key, now[key]))
                delete(cls, key)
            for key, value in saved.items():
                if (current := now.get(key, _MISSING)) is not value:
                    changes.append((cls, key, current))
                    set_attribute(cls, key, value)
        return changes

    def undo(self, changes: list) -> None:
        """Give the student's code back what :meth:`restore` took from it, once a check has passed:
        the checks change nothing the code after them sees."""
        for owner, key, value in reversed(changes):
            if isinstance(owner, dict):
                if value is _MISSING:
                    owner.pop(key, None)
                else:
                    owner[key] = value
            elif value is _MISSING:
                self._delete(owner, key)
            else:
                self._set(owner, key, value)

    def plain(self, value, depth: int = 0):
        """``value`` as the checks may trust it: see the module's docstring."""
        kind = type(value)  # never value.__class__, which a class may fake
        if kind in _ATOMS or depth > _DEPTH:
            return value
        if kind in (list, tuple):
            return kind(self.plain(item, depth + 1) for item in value)
        if kind in (dict, collections.OrderedDict):
            return kind((key, self.plain(item, depth + 1)) for key, item in value.items())
        if kind in self.trusted:
            return value
        for base, reduce in (
            (torch.Tensor, lambda v: torch.Tensor.as_subclass(v, torch.Tensor)),
            (numpy.ndarray, lambda v: numpy.ndarray.view(v, numpy.ndarray)),
            (int, int.__int__),
            (float, float.__float__),
            (complex, lambda v: complex(complex.real.__get__(v), complex.imag.__get__(v))),  # 3.10: no __complex__
            (str, str.__str__),
            (bytes, lambda v: bytes.__getitem__(v, slice(None))),
        ):
            if issubclass(kind, base):
                return reduce(value)
        for base in (tuple, list):
            if issubclass(kind, base):
                return base(self.plain(item, depth + 1) for item in base.__iter__(value))
        if issubclass(kind, dict):
            return {key: self.plain(item, depth + 1) for key, item in dict.items(value)}
        if kind is types.FunctionType:
            return self._plain_results(value)
        return value

    def _plain_results(self, function):
        @functools.wraps(function)
        def called(*args, **kwargs):
            return self.plain(function(*args, **kwargs))

        return called

    def namespace(self, student: dict, imports: list[str]) -> dict:
        """The namespace a check runs in: the student's names as plain values, the book's imports and
        the builtins as they were before the student's code ran."""
        checked = {name: self.plain(value) for name, value in student.items() if name != "__builtins__"}
        checked["__builtins__"] = builtins
        for statement in imports:
            exec(statement, checked)
        return checked
