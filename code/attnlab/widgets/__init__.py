"""Live widgets, one module per topic. Each module keeps the logic in plain, tested functions
and only wires ipywidgets controls to them; the initial state is also drawn as a static figure."""
