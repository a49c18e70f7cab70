-- Reference data every installation needs: the four countries of the plan and their currencies.
-- Extensions for member lookup (accent- and case-insensitive, partial words).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
INSERT INTO currencies (code, name, decimals) VALUES
  ('MXN', 'Peso mexicano', 2),
  ('USD', 'Dólar estadounidense', 2),
  ('COP', 'Peso colombiano', 2),
  ('DOP', 'Peso dominicano', 2)
ON CONFLICT (code) DO NOTHING;--> statement-breakpoint
INSERT INTO countries (code, name, currency) VALUES
  ('MX', 'México', 'MXN'),
  ('US', 'Estados Unidos', 'USD'),
  ('CO', 'Colombia', 'COP'),
  ('DO', 'República Dominicana', 'DOP')
ON CONFLICT (code) DO NOTHING;
