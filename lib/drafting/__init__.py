"""Drafting a plan from a published document, and measuring the draft.

`document` reads a .txt, .docx, .pdf or .html document into cleaned lines with the page
furniture removed and finds its metadata; `structure` finds its numbered sections and tasks;
`units` the responsible units of each task, the document's lead-unit rule and each unit's
kind; `targets` and `deadlines` the quantified targets and dated milestones of a task's text;
`draft` assembles the draft plan (the plan schema plus `span`, `review` and `draft:`) and its
YAML; `scoring` compares a draft with answers checked by hand. May import core, plan and
ingest; never store, status, output, services, ui or streamlit.
"""
