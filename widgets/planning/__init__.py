"""What to draw: a graph planned (order, names, symbols, clusters), folded when large, numbers written."""
