"""From-scratch multi-label image classifiers with label-graph heads, adaptation and submissions."""
