"""What Sphinx writes, made readable by assistive technology: toctree captions get a heading level.

Sphinx renders a toctree's caption (the sidebar's "Background", "The questions", …) as
``<p class="caption" role="heading">``; WAI-ARIA requires a heading to say its level.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.writers.html5 import HTML5Translator


class HTMLTranslator(HTML5Translator):
    def visit_title(self, node: nodes.title) -> None:
        if isinstance(node.parent, addnodes.compact_paragraph) and node.parent.get("toctree"):
            # One level below the section that holds the toctree; the sidebar's sit under the page's h1.
            level = max(2, self.section_level + 1)
            self.body.append(self.starttag(node, "p", "", CLASS="caption", ROLE="heading", **{"aria-level": level}))
            self.body.append('<span class="caption-text">')
            self.context.append("</span></p>\n")
        else:
            super().visit_title(node)
