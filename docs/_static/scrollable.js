// A code block, an output or a table larger than its box scrolls: make it a tab stop, so that
// a keyboard can reach it and scroll it with the arrow keys. Checked again when the window resizes.
function markScrollableBlocks() {
  for (const block of document.querySelectorAll("article pre, article .sphx-glr-script-out, article .table-wrapper")) {
    if (block.scrollWidth > block.clientWidth || block.scrollHeight > block.clientHeight) {
      block.setAttribute("tabindex", "0");
    } else {
      block.removeAttribute("tabindex");
    }
  }
}
document.addEventListener("DOMContentLoaded", markScrollableBlocks);
window.addEventListener("resize", markScrollableBlocks);
