// MathJax 3 settings for pymdownx.arithmatex in generic mode: it wraps
// inline math in \( \) and display math in \[ \] inside elements of class
// "arithmatex"; only those elements are typeset.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  }
};
