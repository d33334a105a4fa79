"""Pictures: DOT, graphviz (or viz.js), the restylable layout, the per-frame scene, fitting to a cell."""
