"""Reading content/: YAML with positions (source), the field schema (fields), the typed records
(model, booklet, departments, citations), loading the files (load, load_booklet) and the rules
across them (rules, booklet_rules). Every problem is collected with its file:line:col."""
