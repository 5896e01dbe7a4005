# cyca: a deliberately broken plugin for the core's refusal tests.
