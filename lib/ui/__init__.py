"""The only package that imports streamlit: page chrome (navigation, sidebar filters,
language, banners), components that render what a view model returns (charts with their
slide-PNG button, tables, problem lists), the login form, the process start-up settings and
the cached loaders that hold the plan, the figures and the statuses per (plan, store data
version). It may import services and everything below them; pages import it, the view
models and the labels only.
"""
