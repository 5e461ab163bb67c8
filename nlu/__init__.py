"""NLU: a Rasa 3.x project (config.yml, domain.yml, data/, tests/) and the engines that read it."""
