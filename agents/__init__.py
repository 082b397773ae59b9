"""The economy's roles, one module each, plus the outside-sector accounts."""

from agents.ai_lab import AILab
from agents.bank import Bank
from agents.base import FinancialAgent
from agents.chipmaker import Chipmaker
from agents.hyperscaler import Hyperscaler
from agents.neocloud import Neocloud
from agents.outside import OutsideSector
from agents.private_credit import PrivateCreditFund
from agents.spv import SPV

__all__ = ["SPV", "AILab", "Bank", "Chipmaker", "FinancialAgent", "Hyperscaler", "Neocloud",
           "OutsideSector", "PrivateCreditFund"]
