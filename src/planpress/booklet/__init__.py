"""The plan booklet's drawing code: charts, diagrams and the glossary's ※ marks."""
