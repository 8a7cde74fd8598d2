"""The command line, `python -m lib <command>`: `main` wires argparse to one module per group
of commands, each a thin shell over the services (open the workspace, validate, import,
report) that prints results and returns the exit code (0 success, 1 invalid input, 2
unreadable input). It may import every package below it (services, output and the engine),
never ui or streamlit. It is, with ui, the only place that reads the clock.
"""
