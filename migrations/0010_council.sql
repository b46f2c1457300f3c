-- 0010: a recommendation may carry the council's authority. The cybersecurity council
-- (the government's headquarters over the centre) recommends through the centre: such a
-- recommendation is issued by the centre with authority 'council'; every other one carries
-- its issuer's own ('issuer').
ALTER TABLE recommendation ADD COLUMN authority TEXT NOT NULL DEFAULT 'issuer' CHECK (authority IN ('issuer', 'council'));
