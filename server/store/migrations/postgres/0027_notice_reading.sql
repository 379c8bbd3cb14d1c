-- Overdue notices: when their employee read them (the console's panel opened over
-- them), and, for a notice in Canal's default words (the channel has no text of its
-- own), the agent's name it names, so each console writes it in its own language.
ALTER TABLE kpi_notices ADD COLUMN read_at TEXT;
ALTER TABLE kpi_notices ADD COLUMN default_operator TEXT;
