# hbsprobe: test-only routes that call the templates.v1 service.
