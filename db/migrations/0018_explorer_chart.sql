-- Null means shown: every reader keeps the histogram until they hide it in the View menu.
ALTER TABLE "user_preferences" ADD COLUMN "explorer_chart" boolean;
