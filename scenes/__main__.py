"""`python -m scenes ARGS` is `gdviz ARGS`."""

from scenes.entry import main

main()
