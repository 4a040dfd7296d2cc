/**
 * Default vocabulary for naming bank entries: ~200 common indoor object names, each with synonyms.
 * The first word is the label shown; synonyms map to the same label (the oracle encoder and the query
 * layer treat them as the same object). Covers the Quest Space Setup classes (TABLE, COUCH, LAMP,
 * SCREEN, STORAGE, PLANT, WALL_ART, BED, DOOR_FRAME, WINDOW_FRAME) plus ScanNet-style furniture and
 * household items.
 */

export interface VocabularyEntry {
  name: string;
  synonyms: string[];
}

const RAW = `
lamp: floor lamp, table lamp, desk lamp, light
couch: sofa, settee, loveseat
table: dining table, coffee table, side table
desk: writing desk, office desk
chair: office chair, dining chair, armchair
bed: double bed, mattress
door: doorway, door frame
window: window frame, windowpane
screen: monitor, computer monitor, display, tv, television
plant: potted plant, houseplant, flower pot
cabinet: storage, cupboard, storage cabinet
shelf: shelves, bookshelf, bookcase, shelving
wall art: picture, painting, poster, framed picture, photo frame
wall: walls
floor: ground, flooring
ceiling: roof
rug: carpet, mat
curtain: curtains, drapes
blinds: window blinds
pillow: cushion, throw pillow
blanket: throw, quilt, duvet
laptop: notebook computer
keyboard: computer keyboard
mouse: computer mouse
phone: smartphone, mobile phone, cell phone
tablet: ipad
speaker: loudspeaker
headphones: headset
remote control: remote, tv remote
book: books, notebook
magazine: magazines
box: cardboard box, carton
bag: backpack, handbag
basket: laundry basket, wicker basket
trash can: bin, garbage can, waste basket, dustbin
bottle: water bottle
cup: mug, coffee mug
glass: drinking glass, wine glass
bowl: dish
plate: plates
vase: flower vase
clock: wall clock, alarm clock
mirror: wall mirror
fireplace: hearth
radiator: heater
fan: ceiling fan, desk fan
air conditioner: ac unit
refrigerator: fridge
microwave: microwave oven
oven: stove, cooker
sink: basin, washbasin
faucet: tap
dishwasher: dish washer
washing machine: washer
dryer: tumble dryer
toilet: lavatory
bathtub: bath, tub
shower: shower stall
towel: towels
toothbrush: tooth brush
soap: soap dispenser
counter: countertop, kitchen counter
kitchen island: island
stool: bar stool
bench: seat bench
ottoman: footstool, pouf
dresser: chest of drawers, drawers
nightstand: bedside table, night table
wardrobe: closet, armoire
coat rack: coat hanger, hat stand
clothes: clothing, shirt, jacket
shoes: shoe, sneakers, boots
hat: cap
umbrella: umbrellas
suitcase: luggage
printer: copier
computer: pc, desktop computer, computer tower
router: wifi router, modem
cable: wire, cord
power strip: extension cord, socket
light switch: switch
outlet: power outlet, wall socket
thermostat: climate control
smoke detector: smoke alarm
ceiling light: chandelier, light fixture, pendant light
candle: candles
toy: toys, stuffed animal, teddy bear
figurine: statue, sculpture, ornament
fox: fox figure, toy fox
guitar: acoustic guitar, electric guitar
piano: keyboard instrument
drum: drums
whiteboard: white board, marker board
blackboard: chalkboard
bulletin board: cork board, pinboard
calendar: wall calendar
map: world map
flag: banner
column: pillar
stairs: staircase, steps
railing: handrail, banister
kettle: electric kettle
toaster: toaster oven
coffee maker: coffee machine, espresso machine
blender: mixer
pot: cooking pot, saucepan
pan: frying pan, skillet
knife: knives
fork: forks
spoon: spoons
cutting board: chopping board
jar: container
food: fruit, snack
apple: apples
banana: bananas
orange: oranges
bread: loaf
cereal box: cereal
paper towel: paper towel roll, kitchen roll
tissue box: tissues
toilet paper: toilet roll
laundry: laundry pile
ironing board: iron board
iron: clothes iron
vacuum cleaner: vacuum, hoover
broom: brush
mop: mop bucket
bucket: pail
ladder: step ladder
toolbox: tool box
drill: power drill
bicycle: bike
helmet: bike helmet
ball: football, basketball, soccer ball
skateboard: longboard
yoga mat: exercise mat
dumbbell: weights
treadmill: exercise machine
game console: playstation, xbox, console
controller: game controller, gamepad
projector: video projector
camera: webcam
tripod: camera stand
microphone: mic
charger: phone charger
battery: batteries
light bulb: bulb
vent: air vent
pipe: pipes
shelf bracket: bracket
hook: wall hook
hanger: clothes hanger
doormat: door mat
shoe rack: shoe shelf
towel rack: towel rail
bath mat: shower mat
shower curtain: bath curtain
cosmetics: makeup
hair dryer: hairdryer, blow dryer
scale: bathroom scale
medicine: pills
first aid kit: medical kit
fire extinguisher: extinguisher
safe: lockbox
file cabinet: filing cabinet
folder: binder, file folder
paper: papers, document
pen: pencil, marker
scissors: shears
tape: sticky tape
stapler: staples
envelope: letter
sticky note: post-it
desk organizer: pen holder
globe: world globe
trophy: award
certificate: diploma
frame: picture frame
sign: signboard
window sill: windowsill
partition: divider, room divider
screen divider: folding screen
crib: cot, baby bed
high chair: baby chair
stroller: pram, pushchair
play mat: activity mat
dog bed: pet bed
cat tree: cat tower
aquarium: fish tank
bird cage: birdcage
pet bowl: dog bowl
beanbag: bean bag chair
hammock: swing
rocking chair: rocker
recliner: lazy boy
sofa bed: futon
bunk bed: loft bed
headboard: bed head
footboard: bed end
sideboard: buffet, credenza
tv stand: media console, entertainment center
display case: vitrine, glass cabinet
wine rack: bottle rack
bar cart: drinks trolley
coat: overcoat
dress: gown
jeans: trousers, pants
sock: socks
glove: gloves
scarf: shawl
watch: wristwatch
glasses: spectacles, sunglasses
keys: key
wallet: purse
person: man, woman, people, human
`;

function parse(raw: string): VocabularyEntry[] {
  const out: VocabularyEntry[] = [];
  const seen = new Set<string>();
  for (const line of raw.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const i = t.indexOf(':');
    const name = t.slice(0, i).trim();
    if (seen.has(name)) throw new Error(`indoor-vocabulary: duplicate name ${name}`);
    seen.add(name);
    out.push({ name, synonyms: t.slice(i + 1).split(',').map((s) => s.trim()).filter((s) => s && s !== name) });
  }
  return out;
}

export const INDOOR_VOCABULARY: readonly VocabularyEntry[] = Object.freeze(parse(RAW));

/** The prompt template used to embed vocabulary names (CLIP's standard one). */
export const VOCABULARY_PROMPT = (name: string): string => `a photo of a ${name}`;
