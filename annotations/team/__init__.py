"""Several analysts on one project: agreement and the adjudication of spans, regions and relations."""
