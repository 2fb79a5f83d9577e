"""The crisis detector's behaviour, one row per kind of language.

Every text here was written for this table; none is taken from a data set.
Expectations: an exact severity ("high"), at least ("high+"), at most
("<=concern"); optionally a category that must be among the categories.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from moderation.crisis import SEVERITIES, assess, severity_rank


@dataclass(frozen=True)
class Case:
    text: str
    expect: str
    category: str | None = None
    context: tuple[str, ...] = ()

    def check(self) -> None:
        result = assess(self.text, self.context)
        rank = severity_rank(result.severity)
        if self.expect.endswith("+"):
            ok = rank >= severity_rank(self.expect[:-1])
        elif self.expect.startswith("<="):
            ok = rank <= severity_rank(self.expect[2:])
        else:
            ok = result.severity == self.expect
        detail = [(e.rule, e.phrase, round(e.weight, 2), e.scope) for e in result.evidence]
        assert ok, f"{self.text!r}: got {result.severity} (score {result.score}), want {self.expect}; {detail}"
        if self.category is not None:
            assert self.category in result.categories, f"{self.text!r}: {result.categories} lacks {self.category}"


def c(text: str, expect: str, category: str | None = None, context: tuple[str, ...] = ()) -> Case:
    return Case(text, expect, category, context)


INTENT_PLAN_MEANS_TIMING = [
    c("I have the pills lined up", "imminent", "suicidal"),
    c("tonight is the night", "imminent", "suicidal"),
    c("this is goodbye, tell my kids I love them", "imminent", "suicidal"),
    c("I'm going to kill myself tonight", "imminent", "suicidal"),
    c("im gonna end it tonight", "imminent", "suicidal"),
    c("I'm going to end my life this weekend", "imminent", "suicidal"),
    c("i've saved up enough pills to not wake up", "imminent", "suicidal"),
    c("the rope is ready", "imminent", "suicidal"),
    c("I bought a rope today and I know where I'm going to do it", "imminent", "suicidal"),
    c("I'm standing on the bridge right now", "imminent", "suicidal"),
    c("i wrote my suicide note", "imminent", "suicidal"),
    c("I've written letters to everyone, goodbye everyone", "imminent", "suicidal"),
    c("by the time you read this I'll be gone", "imminent", "suicidal"),
    c("I want to die and I have the gun loaded", "imminent", "suicidal"),
    c("I'm ready to die", "imminent", "suicidal"),
    c("I've decided to kill myself", "imminent", "suicidal"),
    c("today is the day I end it", "imminent", "suicidal"),
    c("this is my last night on earth", "imminent", "suicidal"),
    c("I want to die tonight, I have pills", "imminent", "suicidal"),
    c("I'm about to take all my pills", "imminent"),
    c("Im going to hang myself", "imminent", "suicidal"),
    c("i picked a date to do it and i'm going to kill myself then", "imminent", "suicidal"),
    c("goodbye world, I love you all", "imminent", "suicidal"),
    c("i have a plan to kill myself", "imminent", "suicidal"),
    c("I'm holding the knife to my wrist right now", "imminent"),
]

THOUGHTS_WITHOUT_PLAN = [
    c("I want to die", "high", "suicidal"),
    c("i wanna die", "high", "suicidal"),
    c("I don't want to live anymore", "high", "suicidal"),
    c("I've been thinking about killing myself", "high+", "suicidal"),
    c("i keep thinking about suicide", "high+", "suicidal"),
    c("I feel suicidal", "high", "suicidal"),
    c("I'm so suicidal lately", "high+", "suicidal"),
    c("I wish I was dead", "high", "suicidal"),
    c("I wish I could go to sleep and never wake up", "high", "suicidal"),
    c("everyone would be better off without me", "high", "suicidal"),
    c("I'd be better off dead", "high", "suicidal"),
    c("i just want it all to end", "high+", "suicidal"),
    c("I'm tired of being alive", "high", "suicidal"),
    c("I have no reason to live", "high", "suicidal"),
    c("suicide seems like the only option", "high+", "suicidal"),
    c("life isn't worth living", "high+", "suicidal"),
    c("how many pills would it take to die", "high+", "suicidal"),
    c("what's the most painless way to die", "high+", "suicidal"),
    c("I hope I don't wake up tomorrow", "high+", "suicidal"),
    c("my suicidal thoughts are back", "high+", "suicidal"),
    c("the only thing keeping me alive is my dog", "high+", "suicidal"),
    c("I deserve to die", "high", "suicidal"),
    c("I should just kill myself", "high+", "suicidal"),
    c("i dont want to exist anymore", "high", "suicidal"),
    c("I've been having suicidal thoughts every day", "high+", "suicidal"),
]

HOPELESSNESS_AND_RELAPSE_RISK = [
    c("what's the point of anything", "concern", "suicidal"),
    c("I can't do this anymore", "concern", "suicidal"),
    c("everything feels hopeless", "concern", "suicidal"),
    c("I'm such a burden to my family", "concern", "suicidal"),
    c("nobody would even notice if I was gone", "concern", "suicidal"),
    c("I hate my life", "concern", "suicidal"),
    c("I just want to disappear", "concern", "suicidal"),
    c("I give up", "concern", "suicidal"),
    c("I feel so worthless", "concern", "suicidal"),
    c("I can't take it anymore", "concern", "suicidal"),
    c("I feel dead inside", "concern", "suicidal"),
    c("I can't see any future for me", "concern", "suicidal"),
    c("the cravings are so bad today", "concern", "relapse"),
    c("I want to use so bad right now", "concern", "relapse"),
    c("I can't stop thinking about drinking", "concern", "relapse"),
    c("my dealer keeps texting me", "concern", "relapse"),
    c("one drink won't hurt, right?", "concern", "relapse"),
    c("I'm about to relapse", "concern", "relapse"),
    c("I relapsed last night", "concern", "relapse"),
    c("I'm drunk right now and I hate myself", "concern+", "relapse"),
    c("i just bought some dope", "concern", "relapse"),
    c("I'm using again", "concern", "relapse"),
    c("threw away 90 days clean tonight", "concern", "relapse"),
    c("nobody would know if I drank", "concern", "relapse"),
]

MEDICAL_EMERGENCIES = [
    c("my friend won't wake up after using", "imminent", "medical"),
    c("he's not breathing", "imminent", "medical"),
    c("she isn't breathing and her lips are blue", "imminent", "medical"),
    c("my boyfriend is overdosing what do I do", "imminent", "medical"),
    c("i think i took too much", "imminent", "medical"),
    c("I just took the whole bottle of tylenol", "imminent", "medical"),
    c("I swallowed all my pills", "imminent", "medical"),
    c("I think I'm overdosing", "imminent", "medical"),
    c("found my brother unresponsive on the floor", "imminent", "medical"),
    c("where can I get narcan fast, my roommate is turning blue", "imminent", "medical"),
    c("he's foaming at the mouth", "imminent", "medical"),
    c("she passed out after shooting up and won't respond", "imminent", "medical"),
    c("my friend won't wake up after using", "imminent", "concern_for_other"),
    c("I can't breathe after using", "imminent", "medical"),
    c("I took a handful of xanax and drank", "imminent", "medical"),
    c("i should call 911, he's barely breathing", "imminent", "medical"),
    c("im using alone tonight", "high+", "medical"),
    c("pretty sure this batch is laced with fent", "high", "medical"),
]

NEGATION = [
    c("I'm not suicidal", "none"),
    c("I don't want to die", "none"),
    c("I would never kill myself", "none"),
    c("I'm not going to hurt myself", "none"),
    c("I don't want to kill myself, I just want the pain to stop", "<=concern"),
    c("im not gonna end my life, dont worry", "none"),
    c("I no longer feel suicidal", "none"),
    c("I didn't overdose, I'm fine", "<=concern"),
    c("never thought about suicide honestly", "none"),
    c("I'm not suicidal but I have the pills ready", "imminent", "suicidal"),
    c("I'm not okay, I want to die", "high+", "suicidal"),
    c("I don't know why I want to die", "high", "suicidal"),
    c("Im not saying i want to hurt myself", "<=concern"),
    c("no, I'm not thinking about killing myself", "<=concern"),
    c("I won't relapse today", "none"),
]

PAST_AND_RECOVERY = [
    c("two years ago I tried to end it, today I'm 400 days sober", "<=concern"),
    c("I used to be suicidal, now I'm doing much better", "<=concern"),
    c("when I was 16 I tried to kill myself. I'm glad I survived", "<=concern"),
    c("I used to cut but I've been clean from self harm for a year", "<=concern"),
    c("back then I wanted to die every day", "<=concern"),
    c("years ago I overdosed, now I have 3 years clean", "<=concern"),
    c("I struggled with suicidal thoughts in high school", "<=concern"),
    c("last year I attempted suicide. this year I'm in recovery and grateful", "<=concern"),
    c("I tried to kill myself years ago and now I want to again", "high+", "suicidal"),
    c("I used to cut and now I'm cutting again", "high+", "self_harm"),
    c("I was sober for two years. Today I want to die", "high+", "suicidal"),
    c("I used to want to die, and lately the thoughts are back: I want to die", "high+", "suicidal"),
]

QUOTES_AND_REPORTED = [
    c('the song goes "I want to die"', "<=concern"),
    c('my sponsor said "nobody kills themselves over one bad day"', "none"),
    c("she told me I should kill myself", "<=concern"),
    c('he said "I want to die" as a joke in the movie', "<=concern"),
    c("> I want to die\nI hear you, that feeling is awful. you're not alone", "<=concern"),
    c("the character in the book says he wants to kill himself", "<=concern"),
    c('"kill myself" is a lyric from that song', "<=concern"),
    c('my friend wrote "I\'m going to kill myself" on her wall', "high+", "concern_for_other"),
]

RESOURCE_QUESTIONS = [
    c("what is the suicide hotline number?", "none"),
    c("how do I help a friend who is suicidal?", "<=concern"),
    c("where can I find resources for suicide prevention?", "none"),
    c("is 988 the crisis line for people feeling suicidal?", "<=concern"),
    c("what are the warning signs of suicide?", "none"),
    c("does anyone have the samaritans number?", "none"),
    c("how do I support my sponsee after a relapse?", "<=concern"),
    c("what does narcan do?", "none"),
    c("suicide awareness walk is this saturday", "none"),
    c("what should I do if someone says they want to die?", "<=concern"),
]

IDIOM_AND_HYPERBOLE = [
    c("killing it at work today", "none"),
    c("I'd kill for a coffee", "none"),
    c("dying laughing", "none"),
    c("this craving is killing me", "concern", "relapse"),
    c("my feet are killing me", "none"),
    c("you're killing me lol", "none"),
    c("I'm dying to see you", "none"),
    c("that cake is to die for", "none"),
    c("I was bored to death in that meeting", "none"),
    c("scared to death of spiders", "none"),
    c("my mom is going to kill me when she sees my grades", "none"),
    c("we killed time at the mall", "none"),
    c("I'm dead 💀😂", "none"),
    c("she totally killed it on stage", "none"),
    c("I could die of embarrassment", "none"),
    c("the suspense is killing me", "none"),
    c("I overdosed on netflix this weekend", "none"),
    c("cut myself off from toxic friends", "none"),
    c("I cut my finger chopping onions", "none"),
    c("this heat is killing me", "none"),
    c("we were dying of laughter", "none"),
    c("I'm starving to death, let's eat", "none"),
    c("going to hang out with friends tonight", "none"),
    c("jump off the diving board", "none"),
    c("that movie about the suicide squad was fun", "none"),
    c("my phone is dead again", "none"),
    c("I'm dead serious", "none"),
    c("dead tired after the meeting", "none"),
    c("I would die for my kids", "none"),
    c("I'll kill this workout", "none"),
    c("the boss will kill me if I'm late", "none"),
    c("my battery is dying", "none"),
]

OBFUSCATION_AND_SLANG = [
    c("k i l l m y s e l f", "high+", "suicidal"),
    c("i want to k.i.l.l m.y.s.e.l.f", "high+", "suicidal"),
    c("thinking about suiciiide", "high+", "suicidal"),
    c("i want to commit suiciiiide", "high+", "suicidal"),
    c("kms", "high", "suicidal"),
    c("honestly gonna kms", "high+", "suicidal"),
    c("i want to unalive myself", "high+", "suicidal"),
    c("thinking about sewer slide", "high+", "suicidal"),
    c("k1ll mys3lf", "high+", "suicidal"),
    c("$uicidal again", "high+", "suicidal"),
    c("su1c1dal thoughts", "high+", "suicidal"),
    c("i want to diiiie", "high", "suicidal"),
    c("i wanna dieeee", "high", "suicidal"),
    c("im suicidal", "high", "suicidal"),
    c("dont want to live anymore", "high", "suicidal"),
    c("i dont wanna be alive", "high", "suicidal"),
    c("I'M GOING TO KILL MYSELF", "imminent", "suicidal"),
    c("i wnat to die", "<=concern"),  # a typo we do not chase: documented as a limit
    c("i want to dye my hair", "none"),
    c("💊💊💊💀", "high+", "suicidal"),
    c("🔫😵", "high+", "suicidal"),
    c("🔪🩸", "high+", "self_harm"),
    c("𝓀𝒾𝓁𝓁 𝓂𝓎𝓈𝑒𝓁𝒻", "high+", "suicidal"),
    c("kil myself", "high+", "suicidal"),
    c("want to end it all", "high+", "suicidal"),
    c("i want 2 die", "high", "suicidal"),
    c("self delete", "high+", "suicidal"),
]

SELF_HARM_OTHERS_HOME = [
    c("I cut myself again last night", "high+", "self_harm"),
    c("I have the urge to cut", "high", "self_harm"),
    c("i want to hurt myself", "high", "self_harm"),
    c("I've been burning myself", "high+", "self_harm"),
    c("I'm going to kill him", "imminent", "harm_to_others"),
    c("I want to hurt someone", "high", "harm_to_others"),
    c("I'm scared I might hurt my baby", "high+", "harm_to_others"),
    c("he hits me when he drinks", "high", "danger_at_home"),
    c("I'm not safe at home", "high", "danger_at_home"),
    c("he's trying to break down the door", "imminent", "danger_at_home"),
    c("my husband threatened to kill me", "high+", "danger_at_home"),
    c("I'm hiding from him in the bathroom", "imminent", "danger_at_home"),
    c("my friend says she wants to kill herself", "high", "concern_for_other"),
    c("my sister is suicidal and I don't know what to do", "high+", "concern_for_other"),
    c("my brother sent me a goodbye text", "high+", "concern_for_other"),
    c("I'm worried my son will overdose", "high+", "concern_for_other"),
    c("my sponsee relapsed", "concern", "concern_for_other"),
    c("I'm worried about my friend", "concern", "concern_for_other"),
]

# Kinds added 2026-11-27: passive wishes to die, reasons for living under
# strain, means sought or at hand, the recent past, first-person deliberation,
# and several kinds of suicidal language stacking. Each with its guards.
# Phrases whose slots had been written as if "a b|c d" meant "(a b) or (c d)".
SLOT_SYNTAX_FIXES = [
    c("my brother is talking about killing himself", "high+", "concern_for_other"),
    c("my friend keeps talking about suicide", "high+", "concern_for_other"),
    c("my friend wants to die", "high+", "concern_for_other"),
    c("my friend is going to end up fine", "none"),
    c("he wants to die on that hill lol", "<=concern"),
    c("I wrote my goodbye letter to my family", "high+", "suicidal"),
    c("I'm going to write my suicide note tonight", "imminent", "suicidal"),
    c("I almost killed myself last night", "high+", "suicidal"),
    c("I hanged myself but the rope broke", "high+", "suicidal"),
    c("I nearly killed myself two years ago, now sober", "<=concern"),
    c("I almost killed myself laughing", "none"),
    c("I nearly killed myself tripping on the stairs lol", "none"),
    c("I left a note for my roommate about the dishes", "none"),
    c("i still selfharm", "high+", "self_harm"),
    c("I relapsed into cutting last night", "high+", "self_harm"),
    c("I cut the grass this morning", "none"),
    c("my old scars are fading", "<=concern"),
    c("my chest is pounding after using", "imminent", "medical"),
    c("im going to shoot up the school", "imminent", "harm_to_others"),
    c("gonna shoot up after work", "<=concern"),
    c("my friend collapsed and is unresponsive", "imminent", "medical"),
    c("she is unresponsive", "imminent", "medical"),
    c("nobody knows im using alone", "high+", "medical"),
    c("im vomiting blood", "imminent", "medical"),
    c("he is gonna kill me", "high+", "danger_at_home"),
    c("my dad is gonna kill me when he sees this", "none"),
    c("death would be peaceful", "high+", "suicidal"),
    c("thanks for everything, this is goodbye", "imminent", "suicidal"),
    c("I want to die, I will do it this weekend", "imminent", "suicidal"),
    c("I am scared to go home", "high+", "danger_at_home"),
    c("thanks for everything guys, see you at the meeting", "none"),
    c("theres no hope for me", "concern", "suicidal"),
    c("life feels like torture", "high+", "suicidal"),
    c("im a failure", "concern", "suicidal"),
    c("this exam is torture", "none"),
    c("if I believed there was no hope I would stop trying, but I don't", "<=concern"),
]

# Common ways of saying it that no phrase covered.
MORE_WAYS_OF_SAYING_IT = [
    c("everyone would be better off if I was dead", "high+", "suicidal"),
    c("I feel like ending it", "high+", "suicidal"),
    c("I just want to sleep and never wake up", "high+", "suicidal"),
    c("there's no reason for me to live", "high+", "suicidal"),
    c("I'm saying goodbye to everyone", "imminent", "suicidal", context=("I can't do this anymore", "I want to die")),
    c("I'm saying goodbye to everyone at work, new job Monday", "none"),
    c("I'm going to overdose on pizza tonight", "none"),
    c("my friend wants to die her hair blue", "<=concern"),
    c("I overdosed last night", "high+", "medical"),
    c("I'd rather be dead", "high+", "suicidal"),
    c("I wish I could just die", "high+", "suicidal"),
    c("no one would miss me if I died", "high+", "suicidal"),
    c("I bought pills to overdose", "imminent", "suicidal"),
    c("I don't care if I die", "high+", "suicidal"),
    c("I hate being alive", "high+", "suicidal"),
    c("I can't live like this", "concern", "suicidal"),
    c("I'm going to overdose tonight", "imminent", "suicidal"),
    c("I'm thinking of taking all my pills", "high+", "suicidal"),
    c("I just want it to be over", "high+", "suicidal"),
    c("I'm so close to ending it", "high+", "suicidal"),
    c("life has no meaning anymore", "concern", "suicidal"),
    c("I should just disappear", "concern", "suicidal"),
    c("I can't feel my legs after using", "imminent", "medical"),
    # guards
    c("I overdosed 5 years ago and now I'm 3 years clean", "<=concern"),
    c("I'd rather die than wear that", "none"),
    c("I feel like ending things with my boyfriend", "none"),
    c("I could just die, so embarrassing", "none"),
    c("I nearly overdosed on caffeine lol", "none"),
    c("my cat would be better off if I was home more", "none"),
    c("I'm going to overdose on chocolate tonight lol", "none"),
    c("I just want this week to be over", "none"),
    c("I'm so close to ending it with him", "none"),
    c("I'm so close to killing it at work", "none"),
]

PASSIVE_IDEATION_AND_STACKING = [
    c("lying down tonight praying I won't wake up tomorrow", "high+", "suicidal"),
    c("I keep praying I never wake up", "high+", "suicidal"),
    c("sometimes I wish I had never been born", "high+", "suicidal"),
    c("never waking up would feel like a relief tbh", "high+", "suicidal"),
    c("I want it all to stop", "high+", "suicidal"),
    c("my family would be better off without me", "high+", "suicidal"),
    c("I'm just waiting to die at this point", "high+", "suicidal"),
    c("I can't find a single reason to keep going", "high+", "suicidal"),
    c("I'm tired of being alive", "high+", "suicidal"),
    c("my dog is the only reason I haven't ended it", "high+", "suicidal"),
    c("I'm trying to come up with reasons not to do it", "high+", "suicidal"),
    c("I think I'm a danger to myself right now", "high+", "suicidal"),
    c("I've been thinking about buying a rope", "high+", "suicidal"),
    c("sitting here with the gun in my hand", "high+", "suicidal"),
    c("if I kill myself my mom will blame herself", "high+", "suicidal"),
    c("a few days ago I tried to overdose", "high+", "suicidal"),
    c("last week I attempted suicide", "high+", "suicidal"),
    c("I feel like a burden and honestly what's the point of anything", "high+", "suicidal"),
    c("I attempted suicide in high school and lately everything feels pointless", "high+", "suicidal"),
    # a firearm or a rope near the writer's own despair (lethal means next to hopelessness)
    c("I feel so worthless and there is a gun in my closet", "high+", "suicidal"),
    c("everything is hopeless, I keep looking at the rope in the garage", "high+", "suicidal"),
    # the will to live lost, hope given up, choosing one's own end, pain that must stop
    c("I think I've lost the will to live", "high+", "suicidal"),
    c("I've given up all hope and I just want the pain to stop", "high+", "suicidal"),
    c("my life will end on my own terms", "high+", "suicidal"),
    c("I'm a cutter and I hate myself", "high+", "self_harm"),
    # a state that began long ago and goes on is present, whatever else the sentence dates
    c("I have been suicidal since I was 12, my parents split up when I was a kid", "high+", "suicidal"),
    # guards: advice, denial, history in recovery, others, hypotheticals, idiom
    c("your family would not be better off without you", "<=concern"),
    c("I don't hope I never wake up, I'm just tired", "<=concern"),
    c("I have a plan to wake up early and go to a meeting", "none"),
    c("my alarm didn't wake me up this morning", "none"),
    c("I want this meeting to end lol", "<=concern"),
    c("what if I killed myself, would anyone even care? just a thought experiment from class", "<=concern"),
    c("what if you tried calling the helpline?", "none"),
    c("if you kill yourself your family will be devastated", "<=concern"),
    c("years ago I tried to overdose, now I'm 3 years clean and grateful", "<=concern"),
    c("I've been sober for 2 years since my suicide attempt", "<=concern"),
    c("I've been in recovery for years after I tried to kill myself", "<=concern"),
    c("I've been clean for years and I used to be suicidal", "<=concern"),
    c("I have a gun license and go hunting with my dad", "<=concern"),
    c("I feel hopeless today, my meds aren't working yet", "<=concern"),
    c("feeling worthless after work, cut my finger on a kitchen knife too", "<=concern"),
    c("the gun show was pointless, nothing worth buying", "<=concern"),
    c("I'm a hopeless romantic, always have been", "none"),
    c("I hate living in this city, the rent is insane", "none"),
    c("it's not a hopeless cause, you can still fix it", "none"),
    c("everything feels hopeless at the moment and I hate myself", "high+", "suicidal"),
    c("I hate myself", "concern", "suicidal"),
    c("when feeling suicidal, we tend to forget the people who love us", "<=concern"),
    c("when suicidal, people often cannot see the way out", "<=concern"),
    c("there is so much stigma about suicidal thoughts", "<=concern"),
    c("I keep reading about suicide methods", "high+", "suicidal"),
    c("I need to talk about my suicidal thoughts", "high+", "suicidal"),
    c("when I feel suicidal I call my sponsor", "concern+"),
    c("I'm tired of being sick all winter", "none"),
    c("my back pain needs to stop, going to physio", "<=concern"),
    c("don't lose all hope, it gets better", "<=concern"),
    c("I want to retire on my own terms", "none"),
    c("I relapsed last night", "concern", "relapse"),
]

# Third round on issue #6: kinds of language found missing on the tuning part of the
# dev file and in plain sentences written for this table; each kind with its guards.
PASSIVE_WISHES_AND_DISAPPOINTMENT = [
    c("honestly I wouldn't mind dying", "high+", "suicidal"),
    c("I wouldn't mind if I died in my sleep tonight", "high+", "suicidal"),
    c("I keep hoping something kills me", "high+", "suicidal"),
    c("every morning I wake up disappointed that I'm still alive", "high+", "suicidal"),
    c("I'm angry that I didn't die", "high+", "suicidal"),
    c("why am I still alive", "high+", "suicidal"),
    c("why should I even bother living", "high+", "suicidal"),
    c("I wish I didn't exist", "high+", "suicidal"),
    c("it would be easier for everyone if I was dead", "high+", "suicidal"),
    c("nobody cares if I live or die", "high+", "suicidal"),
    c("I want to fall asleep and not wake up", "high+", "suicidal"),
    c("I regret surviving", "high+", "suicidal"),
    c("every day I'm alive feels like torture", "high+", "suicidal"),
    c("I have nothing to live for", "high+", "suicidal"),
    c("I'm running out of reasons to stay", "high+", "suicidal"),
    c("I never asked to be born", "concern", "suicidal"),
    # guards
    c("I wouldn't mind dying my hair red", "none"),
    c("I'm disappointed I woke up late for the meeting", "none"),
    c("my plants would be happier if I was home more", "none"),
    c("why do I even bother going to work on fridays", "none"),
    c("I was so hungry I felt like dying", "none"),
    c("so embarrassed I wanted to die lol", "none"),
    c("I hope the rain doesn't kill my tomatoes", "none"),
]

FORESHORTENED_FUTURE = [
    c("I won't be around for much longer", "high+", "suicidal"),
    c("im not gonna be here much longer", "high+", "suicidal"),
    c("I won't be a burden for much longer", "high+", "suicidal"),
    c("I don't see myself alive next year", "high+", "suicidal"),
    c("I don't plan on being alive by christmas", "high+", "suicidal"),
    c("I don't think I'll make it through the night", "high+", "suicidal"),
    # guards
    c("I won't be around much this weekend, visiting family", "none"),
    c("I'm not going to be here for long, just dropping by", "none"),
    c("I won't be here for long, my shift ends at five", "none"),
    c("I don't think I'll make it to the meeting tonight", "none"),
]

LACKING_THE_COURAGE = [
    c("I don't have what it takes to end it", "high+", "suicidal"),
    c("I couldn't work up the courage to do it", "high+", "suicidal"),
    c("I was too much of a coward to pull the trigger", "high+", "suicidal"),
    c("I never had enough courage to do it", "high+", "suicidal"),
    # guards
    c("I couldn't find the courage to tell my mom", "none"),
    c("I didn't have the guts to ask her out", "none"),
]

METHODS_NAMED_AND_RESEARCHED = [
    c("I've been researching ways to do it", "high+", "suicidal"),
    c("I looked up how many pills it would take", "high+", "suicidal"),
    c("I've been looking into lethal doses", "high+", "suicidal"),
    c("I just want to blow my brains out", "high+", "suicidal"),
    c("sometimes I think about driving my car into a wall", "high+", "suicidal"),
    c("I think about crashing my car on purpose", "high+", "suicidal"),
    c("I keep thinking about stepping in front of a train", "high+", "suicidal"),
    c("I want to overdose", "high+", "suicidal"),
    c("I'm sitting here with my .357 in my lap", "high+", "suicidal"),
    c("the glock is in my hand", "high+", "suicidal"),
    c("I own a glock and I feel worthless", "high+", "suicidal"),
    # guards
    c("I'm researching methods for my thesis", "none"),
    c("the car crashed into a tree on the news", "none"),
    c("I was driving into town for a meeting", "none"),
    c("my dad has a glock for hunting", "<=concern"),
    c("I looked up how many pills I can take for a headache", "none"),
]

VOICES_AND_THOUGHTS_NAMED = [
    c("my mind keeps telling me to end it", "high+", "suicidal"),
    c("the voices tell me to die", "high+", "suicidal"),
    c("suicide has been on my mind a lot", "high+", "suicidal"),
    c("I feel like dying", "high+", "suicidal"),
    c("I'm scared of what I might do to myself", "high+", "suicidal"),
    c("I don't trust myself to be alone tonight", "high+", "suicidal"),
    # guards
    c("my brain keeps telling me to eat cake", "none"),
    c("I don't trust myself around cake", "none"),
    c("we were dying of laughter at the meeting", "none"),
]

HOLDING_ON_RESOLVE_AND_CONCEALMENT = [
    c("I don't know how much longer I can hold on", "concern", "suicidal"),
    c("idk how much longer i can do this", "concern", "suicidal"),
    c("I'm at the end of my rope", "concern", "suicidal"),
    c("I'm so tired of fighting", "concern", "suicidal"),
    c("I'm a lost cause", "concern", "suicidal"),
    c("please don't try to talk me out of it", "concern", "suicidal"),
    c("I've made my peace with dying", "concern", "suicidal"),
    c("I don't want to be saved", "concern", "suicidal"),
    c("if I tell my therapist she'll have me committed", "concern", "suicidal"),
    # resolve or concealment stacks with other suicidal language
    c("please don't try to talk me out of it, everything is hopeless", "high+", "suicidal"),
    c("I'm afraid of being sectioned if I tell my doctor. I hate myself", "high+", "suicidal"),
    c("I've made my peace with dying and I feel like a burden", "high+", "suicidal"),
    # guards
    c("talk me out of buying this jacket", "none"),
    c("I'm worried I'm not committed enough to recovery", "none"),
    c("I'm afraid I'll get hospitalized for my asthma again", "none"),
]

RECENT_PAST_MONTH = [
    # C-SSRS asks about the past month: last month is not history yet.
    c("I attempted suicide last month", "high+", "suicidal"),
    c("a month ago I tried to overdose", "high+", "suicidal"),
    c("last year I attempted suicide. this year I'm in recovery and grateful", "<=concern"),
]

SCOPE_AND_MATCHING_REPAIRS = [
    # A trigger word twice in reach: the second "want" was skipped when the first led nowhere.
    c("I want to talk about how I want to die", "high+", "suicidal"),
    c("I want you to know that I want to die", "high+", "suicidal"),
    # Every item of a list named as a topic is a topic ("talk about X, Y and Z").
    c("it takes courage to talk about suicidal thoughts and self-harm", "<=concern"),
    c("there's a stigma about depression, suicide and self harm", "<=concern"),
    c("we talked about it, and I feel suicidal", "high+", "suicidal"),
    c("I need to talk about my suicidal thoughts and my self-harm", "high+", "suicidal"),
    # The text of a link names what it links to (a song, an article): reported, like a quote.
    c("my playlist tonight: [I Wish I Was Dead - a band](https://example.com/song)", "<=concern"),
    c("saw this [video](https://example.com) today. I want to die", "high+", "suicidal"),
]

MORE_KINDS_FROM_THE_TUNING_PART = [
    # self-hatred named as a state; with hopelessness it stacks
    c("I'm consumed with self-loathing", "concern", "suicidal"),
    c("I'm consumed with self-loathing and hopelessness", "high+", "suicidal"),
    c("I've hated myself since I was a kid and everything feels pointless", "high+", "suicidal"),
    # spelling variants of the same words
    c("I had a serious sucide scare last week", "high+", "suicidal"),
    c("why couldnt i work up the courage to just do it?", "high+", "suicidal"),
    # staying alive spoken of as uncertain
    c("if I'm still alive tomorrow I'll call my sponsor", "high+", "suicidal"),
    c("if I survive the night I'll go to a meeting", "high+", "suicidal"),
    # guards
    c("we had a talk on self-hatred in recovery last night", "none"),
    c("if I stick around after the meeting we can talk", "none"),
    c("if I'm still around at 5 I'll call you", "none"),
    c("if I make it through the weekend without drinking it'll be a miracle", "<=concern"),
    c("if I survive the exam week I'll celebrate", "none"),
]

FAREWELLS_AND_PLANS_TOLD_INDIRECTLY = [
    c("this will be my last post", "imminent", "suicidal"),
    c("this is the last time you'll hear from me", "imminent", "suicidal"),
    c("I'll be dead by morning", "imminent", "suicidal"),
    # plans told indirectly raise a present wish to die (amplifiers, nothing alone)
    c("I've figured out how I'm going to do it, I want to die", "imminent", "suicidal"),
    c("I wrote a letter for my mom to find. I want to die", "imminent", "suicidal"),
    c("I've got everything ready, I don't want to live anymore", "imminent", "suicidal"),
    c("I have a date set and I want to die", "imminent", "suicidal"),
    # guards
    c("I've figured out how I'm going to do it, the recipe is easy", "none"),
    c("I have a date set for the wedding", "none"),
    c("I'll be dead tired by tomorrow", "none"),
    c("this is my last day at work, new job on monday", "none"),
    c("this will be my last post before the holidays", "none"),
    c("I'm leaving this world behind when I move to the mountains", "<=concern"),
]

REPORTED_SPEECH_AND_HEARSAY = [
    # After "but" the writer speaks for themselves again.
    c("she said it gets better, but I want to die", "high+", "suicidal"),
    c("my therapist told me to journal but honestly I want to die", "high+", "suicidal"),
    # hearsay names what others say
    c("I read somewhere that people who want to die often hide it", "<=concern"),
    c("I heard somewhere that thinking about suicide is common", "<=concern"),
    c("she told me I should kill myself and then laughed", "<=concern"),
]

NEGATION_AND_SUBJECT_REPAIRS = [
    # "not" about knowing, "without" about its own words: the wish is still there
    c("my sponsor doesn't know I'm suicidal", "high+", "suicidal"),
    c("she doesn't realize I want to die", "high+", "suicidal"),
    c("without you I want to die", "high+", "suicidal"),
    c("I'd never kill myself without talking to someone", "none"),
    c("I don't think I want to die", "<=concern"),
    # "I'm suicidal" names its subject even when someone else was named before
    c("my mom is asleep and I'm suicidal", "high+", "suicidal"),
    # more forms of the same words
    c("I can't stop wanting to die", "high+", "suicidal"),
    c("I wish I could sleep forever and never wake up", "high+", "suicidal"),
    c("what if I just killed myself", "concern", "suicidal"),
    c("I wonder if anyone would care if I died", "concern", "suicidal"),
    c("does anyone even care if I die", "high+", "suicidal"),
    c("I killed myself studying for finals", "none"),
]

SELF_HARM_TOLD_OTHER_WAYS = [
    c("I carved into my leg last night", "high+", "self_harm"),
    c("my arms are covered in cuts", "high+", "self_harm"),
    c("I punish myself by not eating", "high+", "self_harm"),
    c("I made myself bleed again", "high+", "self_harm"),
    c("I'm hiding my cuts with long sleeves", "high+", "self_harm"),
    c("I keep picking at my skin until it bleeds", "concern", "self_harm"),
    # guards
    c("I cut into my thumb while cooking", "none"),
    c("I scratched my mosquito bites until they bled lol", "none"),
    c("the cat's arms are covered in cuts", "none"),
]

ESCALATION_IN_CONTEXT = [
    c("i have pills", "high+", "suicidal", context=("i don't want to be here anymore",)),
    c("tonight", "high+", "suicidal", context=("everything is pointless", "i want to die")),
    c("i've got the rope", "imminent", "suicidal", context=("I'm so tired", "i want it all to end")),
    c("goodbye", "imminent", "suicidal", context=("nobody would miss me", "i wish i was dead")),
    c("I can't do this anymore", "high+", "suicidal", context=("I feel like a burden", "I hate my life")),
    c("nobody would even notice if I was gone", "high+", "suicidal",
      context=("what's the point of anything", "i feel so worthless")),
    c("going to pick up after work", "concern", "relapse", context=("the cravings are so bad today",)),
    c("ok see you all at the meeting", "none", context=("i want to die",)),
    c("thanks everyone", "none", context=("I'm not suicidal",)),
    c("I can't do this anymore", "concern", context=("great meeting today", "see you thursday")),
    # a gun named in an earlier message does not raise today's despair (only a high signal's)
    c("I feel so worthless today", "concern", context=("went to the range, my new shotgun is great",)),
]

BENIGN_CHAT = [
    c("hey everyone, how was your day?", "none"),
    c("60 days sober today!", "none"),
    c("anyone going to the meeting thursday?", "none"),
    c("thanks for the support yesterday, it really helped", "none"),
    c("I made pancakes this morning", "none"),
    c("my sponsor called me tonight and we talked for an hour", "none"),
    c("cravings were rough but I made it through the day", "<=concern"),
    c("I'm proud of you for reaching out", "none"),
    c("does anyone know a good podcast about recovery?", "none"),
    c("the weather is awful today", "none"),
    c("I take my meds every morning with breakfast", "none"),
    c("went for a run, feeling good", "none"),
    c("my dog died last year and I still miss him", "none"),
    c("my grandmother died peacefully in her sleep", "none"),
    c("happy one year to everyone celebrating!", "none"),
    c("I'm grateful for this group", "none"),
    c("the pharmacy gave me the wrong pills, had to go back", "none"),
    c("I cut the grass and cleaned the garage", "none"),
    c("tonight I'm going to a concert", "none"),
    c("I have a plan for the weekend: hiking!", "none"),
    c("", "none"),
    c("   ", "none"),
    c("ok", "none"),
    c("🙂🙂🙂", "none"),
    # Squeezed "off" is "of": taking care of oneself is not "offing myself".
    c("I need to take better care of myself this week", "none"),
    c("I'm proud of myself today", "none"),
    c("I don't want to be around people today, staying in", "<=concern"),
    c("I used to drink every night, now I go to meetings", "none"),
    c("I used my lunch break to call my sponsor", "none"),
]

GROUPS = {
    "intent_plan_means_timing": INTENT_PLAN_MEANS_TIMING,
    "thoughts_without_plan": THOUGHTS_WITHOUT_PLAN,
    "hopelessness_and_relapse_risk": HOPELESSNESS_AND_RELAPSE_RISK,
    "medical_emergencies": MEDICAL_EMERGENCIES,
    "negation": NEGATION,
    "past_and_recovery": PAST_AND_RECOVERY,
    "quotes_and_reported": QUOTES_AND_REPORTED,
    "resource_questions": RESOURCE_QUESTIONS,
    "idiom_and_hyperbole": IDIOM_AND_HYPERBOLE,
    "obfuscation_and_slang": OBFUSCATION_AND_SLANG,
    "self_harm_others_home": SELF_HARM_OTHERS_HOME,
    "slot_syntax_fixes": SLOT_SYNTAX_FIXES,
    "more_ways_of_saying_it": MORE_WAYS_OF_SAYING_IT,
    "passive_ideation_and_stacking": PASSIVE_IDEATION_AND_STACKING,
    "passive_wishes_and_disappointment": PASSIVE_WISHES_AND_DISAPPOINTMENT,
    "foreshortened_future": FORESHORTENED_FUTURE,
    "lacking_the_courage": LACKING_THE_COURAGE,
    "methods_named_and_researched": METHODS_NAMED_AND_RESEARCHED,
    "voices_and_thoughts_named": VOICES_AND_THOUGHTS_NAMED,
    "holding_on_resolve_and_concealment": HOLDING_ON_RESOLVE_AND_CONCEALMENT,
    "recent_past_month": RECENT_PAST_MONTH,
    "scope_and_matching_repairs": SCOPE_AND_MATCHING_REPAIRS,
    "more_kinds_from_the_tuning_part": MORE_KINDS_FROM_THE_TUNING_PART,
    "farewells_and_plans_told_indirectly": FAREWELLS_AND_PLANS_TOLD_INDIRECTLY,
    "reported_speech_and_hearsay": REPORTED_SPEECH_AND_HEARSAY,
    "negation_and_subject_repairs": NEGATION_AND_SUBJECT_REPAIRS,
    "self_harm_told_other_ways": SELF_HARM_TOLD_OTHER_WAYS,
    "escalation_in_context": ESCALATION_IN_CONTEXT,
    "benign_chat": BENIGN_CHAT,
}
ALL_CASES = [(group, case) for group, cases in GROUPS.items() for case in cases]


def test_table_is_large_enough() -> None:
    assert len(ALL_CASES) >= 200


@pytest.mark.parametrize(("group", "case"), ALL_CASES, ids=[f"{g}-{i}" for i, (g, _) in enumerate(ALL_CASES)])
def test_case(group: str, case: Case) -> None:
    case.check()


@pytest.mark.parametrize("case", ESCALATION_IN_CONTEXT[:6], ids=lambda case: case.text)
def test_escalation_cases_are_milder_alone(case: Case) -> None:
    """Context is what raises these: without it, each message is rated lower."""
    alone = assess(case.text)
    with_context = assess(case.text, case.context)
    assert severity_rank(alone.severity) < severity_rank(with_context.severity)


def test_severities_are_ordered() -> None:
    assert [severity_rank(s) for s in SEVERITIES] == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        severity_rank("urgent")


def test_scope_words_are_read_as_normalised_tokens() -> None:
    """Tokens are squeezed ("feeling" is "feling"): a bare "suicidal" after "when feeling" is generic too."""
    result = assess("when feeling suicidal, people often pull away from friends")
    suicidal = [item for item in result.evidence if item.category == "suicidal"]
    assert suicidal and all("generic" in item.scope for item in suicidal), [(e.rule, e.scope) for e in suicidal]
